import { dayBefore, insideWindow, isTimeZone, localParts, nextLocalTime, parseWindow, quietUntil, zonedInstant } from './local-time';

describe('local time in a zone', () => {
  const sh = 'Asia/Shanghai';

  it('reads the wall clock of an instant', () => {
    expect(localParts(new Date('2026-12-01T15:30:00Z'), sh)).toEqual({ year: 2026, month: 12, day: 1, hour: 23, minute: 30 });
    expect(localParts(new Date('2026-12-01T15:30:00Z'), 'America/New_York')).toEqual({ year: 2026, month: 12, day: 1, hour: 10, minute: 30 });
  });

  it('finds the instant of a local time, across a month end and a daylight-saving change', () => {
    expect(zonedInstant(2026, 12, 2, 7 * 60, sh).toISOString()).toBe('2026-12-01T23:00:00.000Z');
    expect(zonedInstant(2026, 11, 31, 7 * 60, sh).toISOString()).toBe('2026-11-30T23:00:00.000Z');
    // New York: EDT (-4) before 1 Nov 2026 02:00, EST (-5) after
    expect(zonedInstant(2026, 10, 31, 12 * 60, 'America/New_York').toISOString()).toBe('2026-10-31T16:00:00.000Z');
    expect(zonedInstant(2026, 11, 2, 12 * 60, 'America/New_York').toISOString()).toBe('2026-11-02T17:00:00.000Z');
  });

  it('holds a message in quiet hours 22:00-07:00 until 07:00 local, and not outside them', () => {
    const quiet = parseWindow('22:00-07:00');
    expect(quietUntil(new Date('2026-12-01T15:00:00Z'), quiet, sh)?.toISOString()).toBe('2026-12-01T23:00:00.000Z'); // 23:00 → 07:00 next day
    expect(quietUntil(new Date('2026-12-01T20:00:00Z'), quiet, sh)?.toISOString()).toBe('2026-12-01T23:00:00.000Z'); // 04:00 → 07:00 same day
    expect(quietUntil(new Date('2026-12-01T23:00:00Z'), quiet, sh)).toBeNull(); // 07:00 exactly: awake
    expect(quietUntil(new Date('2026-12-01T13:59:00Z'), quiet, sh)).toBeNull(); // 21:59
    expect(quietUntil(new Date('2026-12-01T14:00:00Z'), quiet, sh)).not.toBeNull(); // 22:00
    expect(quietUntil(new Date('2026-12-01T15:00:00Z'), null, sh)).toBeNull();
    // a window inside one day (13:00-14:00 nap)
    expect(insideWindow(new Date('2026-12-01T05:30:00Z'), parseWindow('13:00-14:00')!, sh)).toBe(true);
    expect(insideWindow(new Date('2026-12-01T06:00:00Z'), parseWindow('13:00-14:00')!, sh)).toBe(false);
  });

  it('gives the next occurrence of a local time and the evening before a visit', () => {
    expect(nextLocalTime(new Date('2026-12-01T10:00:00Z'), 19 * 60, sh).toISOString()).toBe('2026-12-01T11:00:00.000Z');
    expect(nextLocalTime(new Date('2026-12-01T12:00:00Z'), 19 * 60, sh).toISOString()).toBe('2026-12-02T11:00:00.000Z');
    expect(dayBefore(new Date('2026-12-03T01:00:00Z'), 19 * 60, sh).toISOString()).toBe('2026-12-02T11:00:00.000Z'); // visit 09:00 on the 3rd
  });

  it('knows real zones from made-up ones', () => {
    expect(isTimeZone(sh)).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
