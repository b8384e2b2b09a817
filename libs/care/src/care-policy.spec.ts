import { deadlineOf, mayRecordCheckIn, nextDeadline } from './care-policy';
import { localDay, occurrences, parseRule, RruleProblem } from './recurrence';

describe('care policy', () => {
  it('lets the own account say self/family, officials anything but device, serving teams neighbour', () => {
    const owner = { owner: true, official: false, serving: false };
    const official = { owner: false, official: true, serving: false };
    const serving = { owner: false, official: false, serving: true };
    expect(mayRecordCheckIn(owner, 'self')).toBe(true);
    expect(mayRecordCheckIn(owner, 'neighbour')).toBe(false);
    expect(mayRecordCheckIn(official, 'neighbour')).toBe(true);
    expect(mayRecordCheckIn(official, 'device')).toBe(false);
    expect(mayRecordCheckIn(serving, 'neighbour')).toBe(true);
    expect(mayRecordCheckIn(serving, 'self')).toBe(false);
  });

  it('computes deadlines in the plan zone (Shanghai, Los Angeles across DST, Kathmandu +05:45)', () => {
    expect(deadlineOf('2026-12-01', '08:00', 30, 'Asia/Shanghai').toISOString()).toBe('2026-12-01T00:30:00.000Z');
    // 2026-03-08 is the US switch to daylight time: 08:00 PDT = 15:00Z; the day before 08:00 PST = 16:00Z
    expect(deadlineOf('2026-03-07', '08:00', 0, 'America/Los_Angeles').toISOString()).toBe('2026-03-07T16:00:00.000Z');
    expect(deadlineOf('2026-03-08', '08:00', 0, 'America/Los_Angeles').toISOString()).toBe('2026-03-08T15:00:00.000Z');
    expect(deadlineOf('2026-12-01', '08:00', 15, 'Asia/Kathmandu').toISOString()).toBe('2026-12-01T02:30:00.000Z');
    expect(nextDeadline(new Date('2026-12-01T00:30:00Z'), '08:00', 30, 'Asia/Shanghai').toISOString()).toBe('2026-12-02T00:30:00.000Z');
    expect(nextDeadline(new Date('2026-12-01T00:29:00Z'), '08:00', 30, 'Asia/Shanghai').toISOString()).toBe('2026-12-01T00:30:00.000Z');
  });
});

describe('recurrence', () => {
  const tz = 'Asia/Shanghai';
  // Tuesday 1 December 2026, 10:00 in Shanghai
  const now = new Date('2026-12-01T02:00:00Z');
  const days = (ds: Date[]) => ds.map((d) => `${localDay(d, tz)} ${d.toISOString().slice(11, 16)}Z`);

  it('weekly on Tuesday: today and the next Tuesday, 09:00 local', () => {
    expect(days(occurrences('FREQ=WEEKLY;BYDAY=TU', tz, now, now))).toEqual(['2026-12-01 01:00Z', '2026-12-08 01:00Z']);
  });

  it('twice a month: the 1st and the 15th', () => {
    expect(days(occurrences('RRULE:FREQ=MONTHLY;BYMONTHDAY=1,15;BYHOUR=14;BYMINUTE=30', tz, now, now))).toEqual(['2026-12-01 06:30Z']);
    const mid = new Date('2026-12-10T02:00:00Z');
    expect(days(occurrences('FREQ=MONTHLY;BYMONTHDAY=1,15', tz, now, mid))).toEqual(['2026-12-15 01:00Z']);
  });

  it('a rule naming an hour earlier than now still has today\'s occurrence', () => {
    expect(days(occurrences('FREQ=DAILY;BYHOUR=0;BYMINUTE=5', tz, now, now, 2))).toEqual(['2026-12-01 16:05Z', '2026-12-02 16:05Z']);
  });

  it('monthly on the last Friday', () => {
    const from = new Date('2026-12-20T02:00:00Z');
    expect(days(occurrences('FREQ=MONTHLY;BYDAY=-1FR', tz, now, from))).toEqual(['2026-12-25 01:00Z']);
    expect(days(occurrences('FREQ=MONTHLY;BYDAY=-1FR', tz, now, now))).toEqual([]);
  });

  it('refuses rules that are not rules or too frequent', () => {
    expect(() => parseRule('FREQ=FOO')).toThrow(RruleProblem);
    expect(() => parseRule('EVERY TUESDAY')).toThrow(RruleProblem);
    expect(() => parseRule('FREQ=MINUTELY')).toThrow(RruleProblem);
    expect(parseRule('FREQ=DAILY').freq).toBe(3);
  });
});
