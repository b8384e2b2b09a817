import { DEFAULT_WEIGHTS, scoreCandidate } from './candidate-ranking';
import { teamScoreSummary } from './team-score-summary';

describe('teamScoreSummary: what a team is told of why it got an offer', () => {
  const candidate = { teamId: 't', name: 'T', distanceM: 1834, serviceRadiusM: 5000, activeOrders: 1, capacity: 4, reputation: 4.2, continuity: 0.5, recentOffers: 2, jurisdiction: 'station' as const };

  it('tells the distance to the kilometre and never the proximity part', () => {
    const { summary } = teamScoreSummary(scoreCandidate(candidate), DEFAULT_WEIGHTS);
    expect(summary.distanceKm).toBe(2);
    expect(summary).not.toHaveProperty('distanceM');
    expect(summary).not.toHaveProperty('proximity');
    expect(summary).not.toHaveProperty('total');
  });

  it('gives the same score wherever the home is inside the radius: the score carries no distance', () => {
    const near = teamScoreSummary(scoreCandidate({ ...candidate, distanceM: 120 }), DEFAULT_WEIGHTS);
    const far = teamScoreSummary(scoreCandidate({ ...candidate, distanceM: 4870 }), DEFAULT_WEIGHTS);
    expect(near.score).toBe(far.score);
    expect(near.score).toBeGreaterThan(0);
    expect(near.score).toBeLessThanOrEqual(1);
    // while the stored (staff) scores differ
    expect(scoreCandidate({ ...candidate, distanceM: 120 }).total).not.toBe(scoreCandidate({ ...candidate, distanceM: 4870 }).total);
  });

  it('reads an old or partial breakdown without failing', () => {
    expect(teamScoreSummary({}, DEFAULT_WEIGHTS).summary).toMatchObject({ distanceKm: 0, strategy: 'weighted-v2', jurisdictionLevel: 'outside' });
  });
});
