import { RRule } from 'rrule';
import { deviceMayResolveBelowStage } from './care-devices';
import { dutyOccurrences } from './duty-occurrences';
import { boundedBetween, checkRule, laterStart, MAX_OCCURRENCES_PER_WINDOW, occurrences, parseRule, RruleProblem } from './recurrence';
import { ruleProblems } from './rule-checks';

/**
 * The checks that keep a care plan's rules from blocking Node: rules that never happen, rules that
 * name many times a day, and the bounded expansion itself (same dates as rrule, never its walk to 9999).
 */
describe('rule checks (denial of service through recurrence rules)', () => {
  const tz = 'Asia/Shanghai';
  // Tuesday 1 December 2026, 10:00 in Shanghai
  const now = new Date('2026-12-01T02:00:00Z');
  const timed = <T>(f: () => T): { ms: number; value?: T; error?: unknown } => {
    const t = process.hrtime.bigint();
    try {
      const value = f();
      return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
    } catch (error) {
      return { ms: Number(process.hrtime.bigint() - t) / 1e6, error };
    }
  };

  beforeAll(() => {
    // load and JIT rrule once, so the timings below measure the rules, not the first call
    checkRule('FREQ=WEEKLY;BYDAY=TU', tz, now);
  });

  it.each([
    'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30',
    'FREQ=WEEKLY;BYMONTH=2;BYMONTHDAY=30',
    'FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30',
    'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30',
    'FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31;BYDAY=MO',
    'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=SU',
    'FREQ=DAILY;UNTIL=20250101T000000Z',
  ])('a rule with no occurrence within a year (%s) is refused in under 200 ms', (rule) => {
    const r = timed(() => checkRule(rule, tz, now));
    expect(r.error).toBeInstanceOf(RruleProblem);
    expect((r.error as Error).message).toMatch(/no occurrence within a year/);
    expect(r.ms).toBeLessThan(200);
  });

  it.each([
    ['FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,5,10,15,20,25,30,35,40,45,50,55', /BYHOUR and BYMINUTE/],
    ['FREQ=DAILY;BYHOUR=9,17', /BYHOUR and BYMINUTE/],
    ['FREQ=WEEKLY;BYMINUTE=0,30', /BYHOUR and BYMINUTE/],
    ['FREQ=DAILY;BYSECOND=0,1,2', /BYSECOND/],
    ['FREQ=DAILY;BYSECOND=0', /BYSECOND/],
    ['FREQ=DAILY;BYSETPOS=1', /BYSETPOS/],
    ['FREQ=HOURLY', /FREQ must be/],
    ['DTSTART:19000101T090000\nRRULE:FREQ=DAILY', /2000 or later/],
    ['DTSTART:20240101T090000\nRRULE:FREQ=DAILY', /within a year before today/],
  ])('more than one time a day, or an old start (%s), is refused fast', (rule, message) => {
    const r = timed(() => checkRule(rule, tz, now));
    expect(r.error).toBeInstanceOf(RruleProblem);
    expect((r.error as Error).message).toMatch(message);
    expect(r.ms).toBeLessThan(200);
  });

  it('ordinary rules pass: daily at ten, weekly, twice a month, the last Friday (two spellings), yearly', () => {
    for (const rule of ['FREQ=DAILY;BYHOUR=10', 'FREQ=DAILY;BYHOUR=0;BYMINUTE=5', 'FREQ=WEEKLY;BYDAY=TU', 'FREQ=MONTHLY;BYMONTHDAY=1,15',
      'FREQ=MONTHLY;BYDAY=-1FR', 'FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1', 'FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=8', 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR']) {
      expect(() => checkRule(rule, tz, now)).not.toThrow();
    }
    expect(ruleProblems([{ rrule: 'FREQ=WEEKLY;BYDAY=TU' }, { rrule: 'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30' }, { rrule: 'FREQ=DAILY;BYHOUR=1,2' }], tz, now)
      .map((f) => f.field)).toEqual(['visits.1.rrule', 'visits.2.rrule']);
  });

  it('twenty bad rules (a whole plan body) are answered in well under a second', () => {
    const visits = Array.from({ length: 20 }, (_, i) => ({ rrule: `FREQ=DAILY;BYMONTH=${(i % 2) + 2};BYMONTHDAY=${i % 2 ? 31 : 30}` }));
    const r = timed(() => ruleProblems(visits, tz, now));
    expect(r.value).toHaveLength(visits.filter((v) => v.rrule.includes('BYMONTH=2')).length);
    expect(r.ms).toBeLessThan(1000);
  });

  it('bounded expansion gives exactly rrule\'s dates for ordinary rules and old starts', () => {
    const rules = ['FREQ=DAILY', 'FREQ=DAILY;INTERVAL=3', 'FREQ=WEEKLY;BYDAY=TU', 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR', 'FREQ=MONTHLY;BYMONTHDAY=1,15',
      'FREQ=MONTHLY;BYDAY=-1FR', 'FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1', 'FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=8', 'FREQ=MONTHLY;INTERVAL=5;BYMONTHDAY=31',
      'FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO', 'FREQ=DAILY;COUNT=40', 'FREQ=MONTHLY', 'FREQ=YEARLY', 'FREQ=WEEKLY;INTERVAL=3', 'FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU',
      'FREQ=YEARLY;INTERVAL=3', 'FREQ=WEEKLY;BYDAY=MO,WE;BYSETPOS=-1', 'FREQ=DAILY;BYMONTH=2,8;BYHOUR=16'];
    // starts whose day a later month or year may lack (the 31st, 29 February), and ones years back
    const starts = [new Date(Date.UTC(2026, 0, 1, 9)), new Date(Date.UTC(2021, 5, 15, 9)), new Date(Date.UTC(2020, 2, 31, 9, 30)),
      new Date(Date.UTC(2016, 1, 29, 9)), new Date(Date.UTC(2003, 0, 31, 0))];
    const windows = [[Date.UTC(2026, 11, 1), Date.UTC(2026, 11, 15)], [Date.UTC(2027, 1, 20), Date.UTC(2027, 2, 6)], [Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 2)]];
    let compared = 0;
    for (const start of starts) {
      for (const rule of rules) {
        const o = parseRule(rule);
        for (const [a, b] of windows) {
          const after = new Date(a);
          const before = new Date(b);
          const expected = new RRule({ ...o, dtstart: start, tzid: null }).between(after, before, true).filter((d) => d < before).map((d) => d.toISOString());
          expect({ rule, start, dates: boundedBetween(o, start, after, before, 1000).map((d) => d.toISOString()) }).toEqual({ rule, start, dates: expected });
          compared += expected.length;
        }
      }
    }
    expect(compared).toBeGreaterThan(500);
  });

  it('an old duty is expanded from shortly before the window, not from the day it was made', () => {
    const after = new Date(Date.UTC(2031, 6, 1));
    const cases: [string, Date, number][] = [
      ['FREQ=DAILY', new Date(Date.UTC(2003, 0, 31, 9)), 2],
      ['FREQ=WEEKLY;INTERVAL=2;BYDAY=TU', new Date(Date.UTC(2010, 4, 4, 9)), 28],
      ['FREQ=MONTHLY', new Date(Date.UTC(2004, 0, 31, 9)), 62],
      ['FREQ=YEARLY', new Date(Date.UTC(2004, 1, 29, 9)), 3 * 366 + 366],
      ['FREQ=DAILY;COUNT=40', new Date(Date.UTC(2003, 0, 31, 9)), Infinity],
    ];
    for (const [rule, start, withinDays] of cases) {
      const moved = laterStart(parseRule(rule), start, after);
      const gapDays = (after.getTime() - moved.getTime()) / 86_400_000;
      expect({ rule, earlier: gapDays > 0, near: withinDays === Infinity ? moved.getTime() === start.getTime() : gapDays <= withinDays }).toEqual({ rule, earlier: true, near: true });
      // the same time of day, and the same day of the month for the ones that default to it
      expect(moved.getUTCHours()).toBe(start.getUTCHours());
      if (rule !== 'FREQ=DAILY' && !rule.startsWith('FREQ=WEEKLY')) expect(moved.getUTCDate()).toBe(start.getUTCDate());
    }
  });

  it('a stored rule that never happens expands to nothing, fast (the sweep is not stalled)', () => {
    const r = timed(() => occurrences('FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30', tz, now, now));
    expect(r.value).toEqual([]);
    expect(r.ms).toBeLessThan(200);
  });

  it('at most MAX_OCCURRENCES_PER_WINDOW occurrences per rule and window', () => {
    expect(occurrences('FREQ=DAILY', tz, now, now, 100)).toHaveLength(MAX_OCCURRENCES_PER_WINDOW);
    expect(occurrences('FREQ=DAILY', tz, now, now, 14)).toHaveLength(14);
  });

  it('the generator skips (and logs) a stored rule that fails the checks instead of throwing', () => {
    const duty = { id: '00000000-0000-4000-8000-000000000001', time_zone: tz, created_at: now };
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    const r = timed(() => dutyOccurrences({ ...duty, rrule: 'FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11;BYMINUTE=0,1,2,3,4,5,6,7,8,9' }, now, 14, warn));
    expect(r.value).toEqual([]);
    expect(r.ms).toBeLessThan(200);
    expect(warnings).toEqual([expect.stringMatching(/^care duty 00000000-0000-4000-8000-000000000001: rule skipped/)]);
    expect(dutyOccurrences({ ...duty, rrule: 'FREQ=DAILY' }, now, 14, warn)).toHaveLength(14);
    expect(warnings).toHaveLength(1);
  });

  it('a device check-in resolves alerts below stage 2 only; people resolve any stage', () => {
    expect(deviceMayResolveBelowStage('device')).toBe(2);
    expect(deviceMayResolveBelowStage('self')).toBeNull();
    expect(deviceMayResolveBelowStage('grid_worker')).toBeNull();
  });
});
