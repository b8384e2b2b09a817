import { computeReputation } from './reputation';

const prior = { mean: 3.5, weight: 5 };

describe('team reputation (Bayesian average)', () => {
  it('starts at the prior mean with no ratings', () => {
    expect(computeReputation({ ratingCount: 0, starsSum: 0 }, prior)).toEqual({ ratingCount: 0, average: null, score: 3.5 });
  });

  it('does not over-reward a single five-star rating', () => {
    const one = computeReputation({ ratingCount: 1, starsSum: 5 }, prior);
    expect(one.average).toBe(5);
    expect(one.score).toBe(3.75);
  });

  it('ranks a long record of good ratings above one perfect rating', () => {
    const many = computeReputation({ ratingCount: 40, starsSum: 40 * 4.7 }, prior);
    const one = computeReputation({ ratingCount: 1, starsSum: 5 }, prior);
    expect(many.score).toBeGreaterThan(one.score);
  });

  it('converges to the real average as ratings accumulate', () => {
    const r = computeReputation({ ratingCount: 10000, starsSum: 10000 * 2 }, prior);
    expect(r.score).toBeCloseTo(2, 2);
  });
});
