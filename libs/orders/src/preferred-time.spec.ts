import { PREFERRED_START_GRACE_MS, preferredTimeProblem } from './preferred-time';

const now = Date.parse('2026-11-24T10:30:00+08:00');
const at = (offsetMs: number) => new Date(now + offsetMs).toISOString();
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const check = (window: { preferredStart?: string; preferredEnd?: string }, horizonDays = 60) => {
  const p = preferredTimeProblem(window, now, horizonDays);
  return p && { status: p.status, fields: p.fields.map((f) => f.field) };
};

describe('preferredTimeProblem', () => {
  it('accepts no window, a start only, an end only, and a window inside the horizon', () => {
    expect(check({})).toBeNull();
    expect(check({ preferredStart: at(2 * HOUR) })).toBeNull();
    expect(check({ preferredEnd: at(2 * HOUR) })).toBeNull();
    expect(check({ preferredStart: at(DAY), preferredEnd: at(DAY + 4 * HOUR) })).toBeNull();
    expect(check({ preferredStart: at(59 * DAY), preferredEnd: at(60 * DAY) })).toBeNull();
  });

  it('forgives a start a few minutes old (a half day chosen before the form was sent)', () => {
    expect(check({ preferredStart: at(-PREFERRED_START_GRACE_MS + 1000), preferredEnd: at(HOUR) })).toBeNull();
  });

  it('refuses an end at or before the start as a malformed request (400)', () => {
    expect(check({ preferredStart: at(2 * HOUR), preferredEnd: at(HOUR) })).toEqual({ status: 400, fields: ['preferredEnd'] });
    expect(check({ preferredStart: at(2 * HOUR), preferredEnd: at(2 * HOUR) })).toEqual({ status: 400, fields: ['preferredEnd'] });
  });

  it('refuses a time in the past (422)', () => {
    expect(check({ preferredStart: at(-DAY) })).toEqual({ status: 422, fields: ['preferredStart'] });
    expect(check({ preferredStart: at(-2 * DAY), preferredEnd: at(-DAY) })).toEqual({ status: 422, fields: ['preferredStart', 'preferredEnd'] });
    expect(check({ preferredEnd: at(-1000) })).toEqual({ status: 422, fields: ['preferredEnd'] });
  });

  it('refuses a time beyond the configured horizon', () => {
    expect(check({ preferredStart: at(61 * DAY) })).toEqual({ status: 422, fields: ['preferredStart'] });
    expect(check({ preferredStart: at(DAY), preferredEnd: at(8 * DAY) }, 7)).toEqual({ status: 422, fields: ['preferredEnd'] });
    expect(preferredTimeProblem({ preferredStart: at(8 * DAY) }, now, 7)?.fields[0].messages).toEqual(['preferredStart must be within 7 days']);
  });
});
