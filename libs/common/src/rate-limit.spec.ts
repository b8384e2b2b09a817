import fc from 'fast-check';
import { emissionInterval, gcraDecide, LocalGcra, RateBucket, retryAfterSeconds } from './rate-limit';

const bucket = (limit: number, windowMs: number, key = 'k', name = 'ip'): RateBucket => ({ name, key, limit, windowMs });

describe('GCRA rate limit decision', () => {
  it('allows a burst of `limit`, then denies with the exact wait until one request has refilled', () => {
    const gcra = new LocalGcra();
    const b = bucket(5, 60000);
    const t0 = 1_000_000;
    for (let i = 0; i < 5; i++) expect(gcra.check([b], t0).allowed).toBe(true);
    const denied = gcra.check([b], t0);
    expect(denied).toEqual({ allowed: false, retryAfterMs: 12000, bucket: 'ip' });
    expect(retryAfterSeconds(denied.retryAfterMs)).toBe(12);
    expect(gcra.check([b], t0 + 11999).allowed).toBe(false);
    expect(gcra.check([b], t0 + 12000).allowed).toBe(true);
    expect(gcra.check([b], t0 + 12000).allowed).toBe(false);
  });

  it('is all-or-nothing over several buckets and names the one that needs the longest wait', () => {
    const gcra = new LocalGcra();
    const ip = bucket(10, 1000, 'ip:1', 'ip');
    const user = bucket(2, 1000, 'user:1', 'user');
    expect(gcra.check([ip, user], 0).allowed).toBe(true);
    expect(gcra.check([ip, user], 0).allowed).toBe(true);
    const denied = gcra.check([ip, user], 0);
    expect(denied).toMatchObject({ allowed: false, bucket: 'user', retryAfterMs: 500 });
    // the denied request did not spend the ip bucket: 8 more fit
    for (let i = 0; i < 8; i++) expect(gcra.check([ip], 0).allowed).toBe(true);
    expect(gcra.check([ip], 0)).toMatchObject({ allowed: false, bucket: 'ip' });
  });

  it('treats a limit of 0 as no limit', () => {
    const gcra = new LocalGcra();
    for (let i = 0; i < 1000; i++) expect(gcra.check([bucket(0, 1000)], 0).allowed).toBe(true);
    expect(gcra.size).toBe(0);
  });

  it('never allows more than limit + elapsed / interval in any stretch of time, and honours its own Retry-After', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 100, max: 60000 }),
        fc.array(fc.integer({ min: 0, max: 120000 }), { minLength: 1, maxLength: 200 }),
        (limit, windowMs, rawTimes) => {
          const times = [...rawTimes].sort((a, b) => a - b);
          const b = bucket(limit, windowMs);
          const gcra = new LocalGcra();
          const allowedAt: number[] = [];
          for (const t of times) {
            const v = gcra.check([b], t);
            if (v.allowed) allowedAt.push(t);
            else {
              expect(v.retryAfterMs).toBeGreaterThan(0);
              expect(v.retryAfterMs).toBeLessThanOrEqual(Math.ceil(emissionInterval(b)));
            }
          }
          const interval = emissionInterval(b);
          for (let i = 0; i < allowedAt.length; i++) {
            for (let j = i; j < allowedAt.length; j++) {
              expect(j - i + 1).toBeLessThanOrEqual(limit + (allowedAt[j] - allowedAt[i]) / interval + 1e-9);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('allows the request sent exactly Retry-After later', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1000, max: 600000 }), fc.integer({ min: 0, max: 10 }), (limit, windowMs, extra) => {
        const gcra = new LocalGcra();
        const b = bucket(limit, windowMs);
        for (let i = 0; i < limit + extra; i++) gcra.check([b], 0);
        const denied = gcra.check([b], 0);
        expect(denied.allowed).toBe(false);
        expect(gcra.check([b], denied.retryAfterMs).allowed).toBe(true);
      }),
    );
  });

  it('keeps its memory bounded, dropping expired buckets first', () => {
    const gcra = new LocalGcra(100);
    for (let i = 0; i < 1000; i++) gcra.check([bucket(5, 1000, `ip:${i}`)], i * 10);
    expect(gcra.size).toBeLessThanOrEqual(100);
  });

  it('computes the same state the Redis script stores', () => {
    const { verdict, newTats } = gcraDecide([bucket(4, 1000)], [undefined], 5000);
    expect(verdict.allowed).toBe(true);
    expect(newTats).toEqual([5250]);
    expect(gcraDecide([bucket(4, 1000)], [6000], 5000).verdict).toEqual({ allowed: false, retryAfterMs: 250, bucket: 'ip' });
  });
});
