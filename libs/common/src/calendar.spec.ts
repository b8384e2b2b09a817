import { isCalendarDay, isRealTimestamp } from './calendar';

describe('strict dates', () => {
  it('takes real days only', () => {
    for (const d of ['2026-11-30', '2024-02-29', '2026-12-31', '2026-01-01']) expect([d, isCalendarDay(d)]).toEqual([d, true]);
    for (const d of ['2026-02-29', '2026-02-30', '2026-13-45', '2026-00-10', '2026-04-31', '2026-1-1', '20261130', '2026-11-30T00:00:00Z', ''])
      expect([d, isCalendarDay(d)]).toEqual([d, false]);
  });

  it('takes timestamps whose every field is in range', () => {
    for (const t of ['2026-11-30T08:15:30+08:00', '2026-11-30 08:15:30.123456+08', '2026-11-30T08:15Z', '2026-11-30', '2024-02-29T23:59:59.999Z'])
      expect([t, isRealTimestamp(t)]).toEqual([t, true]);
    for (const t of ['2026-02-30T00:00:00Z', '2026-11-30T24:00:00Z', '2026-11-30T08:60:00Z', '2026-11-30T08:15:61Z', '2026-11-30T08:15:30+25:00', 'now', '2026-11-30T8:15:30Z'])
      expect([t, isRealTimestamp(t)]).toEqual([t, false]);
  });
});
