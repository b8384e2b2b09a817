import { lockoutSeconds } from './lockout-policy';

describe('lockoutSeconds (exponential back-off after failed logins)', () => {
  const policy = { threshold: 5, baseSeconds: 60, maxSeconds: 3600 };

  it('costs nothing below the threshold', () => {
    for (let n = 0; n < 5; n++) expect(lockoutSeconds(n, policy)).toBe(0);
  });

  it('locks for base · 2^(n − threshold) from the threshold on', () => {
    expect([5, 6, 7, 8, 9, 10].map((n) => lockoutSeconds(n, policy))).toEqual([60, 120, 240, 480, 960, 1920]);
  });

  it('never locks longer than the maximum, even for absurd counts', () => {
    expect(lockoutSeconds(11, policy)).toBe(3600);
    expect(lockoutSeconds(40, policy)).toBe(3600);
    expect(lockoutSeconds(1e9, policy)).toBe(3600);
    expect(lockoutSeconds(Number.POSITIVE_INFINITY, policy)).toBe(0);
  });

  it('is monotonic in the number of failures', () => {
    let previous = 0;
    for (let n = 0; n < 100; n++) {
      const s = lockoutSeconds(n, { threshold: 3, baseSeconds: 7, maxSeconds: 5000 });
      expect(s).toBeGreaterThanOrEqual(previous);
      previous = s;
    }
  });

  it('locks from the first failure with a threshold of 1', () => {
    expect(lockoutSeconds(1, { threshold: 1, baseSeconds: 2, maxSeconds: 10 })).toBe(2);
    expect(lockoutSeconds(2, { threshold: 1, baseSeconds: 2, maxSeconds: 10 })).toBe(4);
    expect(lockoutSeconds(4, { threshold: 1, baseSeconds: 2, maxSeconds: 10 })).toBe(10);
  });
});
