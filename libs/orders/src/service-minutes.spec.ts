import { maxReportableMinutes } from './service-minutes';

describe('maxReportableMinutes', () => {
  const checkIn = new Date('2026-12-01T09:00:00+08:00');
  const at = (minutes: number, seconds = 0) => new Date(checkIn.getTime() + minutes * 60_000 + seconds * 1000);

  it('is the slack alone right after check-in (an 11 ms visit cannot report a day)', () => {
    expect(maxReportableMinutes(checkIn, new Date(checkIn.getTime() + 11), 60)).toBe(61);
    expect(maxReportableMinutes(checkIn, checkIn, 60)).toBe(60);
    expect(1440).toBeGreaterThan(maxReportableMinutes(checkIn, new Date(checkIn.getTime() + 11), 60));
  });

  it('grows with the time since check-in, a started minute counting as a whole one', () => {
    expect(maxReportableMinutes(checkIn, at(45), 0)).toBe(45);
    expect(maxReportableMinutes(checkIn, at(44, 1), 0)).toBe(45);
    expect(maxReportableMinutes(checkIn, at(120), 30)).toBe(150);
  });

  it('never goes below the slack when the clocks disagree (check-in stamped after now)', () => {
    expect(maxReportableMinutes(at(5), checkIn, 10)).toBe(10);
  });
});
