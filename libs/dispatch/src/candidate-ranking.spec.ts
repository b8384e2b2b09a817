import { CandidateTeam, DEFAULT_WEIGHTS, DispatchWeights, jurisdictionOf, matchingCosts, rankCandidates, rankLast, scoreCandidate } from './candidate-ranking';
import { solveAssignment } from './assignment/assignment-solver';

const team = (id: string, distanceM: number, extra: Partial<CandidateTeam> = {}): CandidateTeam => ({
  teamId: id, name: id, distanceM, serviceRadiusM: 5000, activeOrders: 0, capacity: 5, members: 10, qualifiedMembers: 10,
  reputation: null, continuity: 0, recentOffers: 0, jurisdiction: 'station', ...extra,
});
const only = (part: keyof DispatchWeights): DispatchWeights =>
  ({ proximity: 0, skillCoverage: 0, load: 0, reputation: 0, continuity: 0, fairness: 0, jurisdiction: 0, [part]: 1 });

describe('dispatch scoring v2', () => {
  it('with everything else equal, the nearer team ranks first', () => {
    const ranked = rankCandidates([team('c', 3000), team('a', 200), team('b', 1200)]);
    expect(ranked.map((r) => r.teamId)).toEqual(['a', 'b', 'c']);
    expect(ranked.map((r) => r.rank)).toEqual([1, 2, 3]);
  });

  it('measures distance relative to each team’s own radius', () => {
    expect(scoreCandidate(team('a', 1000, { serviceRadiusM: 4000 })).proximity).toBe(0.75);
    expect(scoreCandidate(team('a', 1000, { serviceRadiusM: 2000 })).proximity).toBe(0.5);
  });

  it('prefers the team that served this resident before and was rated well (continuity)', () => {
    const ranked = rankCandidates([team('stranger', 800), team('familiar', 1500, { continuity: 1 })]);
    expect(ranked[0].teamId).toBe('familiar');
    expect(ranked[0].breakdown.continuity).toBe(1);
  });

  it('puts the team of the order’s own station before a nearer team across the township line', () => {
    const ranked = rankCandidates([team('across', 600, { jurisdiction: 'county' }), team('own', 1400, { jurisdiction: 'station' })]);
    expect(ranked.map((r) => r.teamId)).toEqual(['own', 'across']);
  });

  it('spreads load: an idle team beats an equally near busy one', () => {
    const ranked = rankCandidates([team('busy', 1000, { activeOrders: 4 }), team('idle', 1000)]);
    expect(ranked[0].teamId).toBe('idle');
    expect(ranked[1].breakdown.spareCapacity).toBe(0.2);
  });

  it('is fair: many recent offers lower the fairness part (half at 5)', () => {
    expect(scoreCandidate(team('a', 0, { recentOffers: 0 })).fairness).toBe(1);
    expect(scoreCandidate(team('a', 0, { recentOffers: 5 })).fairness).toBe(0.5);
    const ranked = rankCandidates([team('flooded', 1000, { recentOffers: 40 }), team('quiet', 1000)], only('fairness'));
    expect(ranked[0].teamId).toBe('quiet');
  });

  it('maps the Bayesian reputation 1..5 to 0..1 and uses the prior (3.5) for unrated teams', () => {
    expect(scoreCandidate(team('a', 0, { reputation: 5 })).reputation).toBe(1);
    expect(scoreCandidate(team('a', 0, { reputation: 1 })).reputation).toBe(0);
    expect(scoreCandidate(team('a', 0, { reputation: null })).reputation).toBe(0.625);
  });

  it('counts skill coverage as the share of members holding the required skills', () => {
    expect(scoreCandidate(team('a', 0, { members: 8, qualifiedMembers: 2 })).skillCoverage).toBe(0.25);
    expect(scoreCandidate(team('a', 0, { members: 0, qualifiedMembers: 0 })).skillCoverage).toBe(1);
  });

  it('normalises the total by the weights, so each part weighs as configured', () => {
    const b = scoreCandidate(team('a', 2500, { serviceRadiusM: 5000 }), only('proximity'));
    expect(b.total).toBe(0.5);
    const doubled = Object.fromEntries(Object.entries(DEFAULT_WEIGHTS).map(([k, v]) => [k, v * 2])) as unknown as DispatchWeights;
    expect(scoreCandidate(team('a', 1234), doubled).total).toBe(scoreCandidate(team('a', 1234)).total);
  });

  it('keeps every part in [0, 1] and breaks ties by distance, then id', () => {
    const b = scoreCandidate(team('a', 9000, { activeOrders: 9, capacity: 5, recentOffers: -3, continuity: 7 }));
    for (const k of ['proximity', 'skillCoverage', 'spareCapacity', 'reputation', 'continuity', 'fairness', 'jurisdiction'] as const) {
      expect(b[k]).toBeGreaterThanOrEqual(0);
      expect(b[k]).toBeLessThanOrEqual(1);
    }
    const tied = rankCandidates([team('z', 500), team('y', 500), team('x', 500)], only('jurisdiction'));
    expect(tied.map((r) => r.teamId)).toEqual(['x', 'y', 'z']);
  });

  it('finds the jurisdiction from the team region path and the order ancestors', () => {
    const a = { stationId: 'S', townshipId: 'T', countyId: 'C' };
    expect(jurisdictionOf(['C', 'T', 'S'], a)).toBe('station');
    expect(jurisdictionOf(['C', 'T', 'S', 'P'], a)).toBe('station');
    expect(jurisdictionOf(['C', 'T', 'S2'], a)).toBe('township');
    expect(jurisdictionOf(['C', 'T2'], a)).toBe('county');
    expect(jurisdictionOf(['C2'], a)).toBe('outside');
  });

  it('returns nothing for no candidates', () => {
    expect(rankCandidates([])).toEqual([]);
  });
});

describe('回访 redo: the team that left the need unsolved is offered last', () => {
  const ranked = rankCandidates([team('near', 200), team('mid', 1200), team('far', 3000)]);

  it('rankLast moves that team behind every other candidate and renumbers the ranks', () => {
    const moved = rankLast(ranked, 'near');
    expect(moved.map((r) => [r.teamId, r.rank])).toEqual([['mid', 1], ['far', 2], ['near', 3]]);
    expect(rankLast(ranked, null)).toBe(ranked);
    expect(rankLast(ranked, 'not-a-candidate')).toBe(ranked);
  });

  it('batch matching takes another team with spare capacity first, and the avoided one rather than none', () => {
    const solve = (capacities: Record<string, number>) => {
      const teams = ranked.map((r) => ({ id: r.teamId, capacity: capacities[r.teamId] ?? 1 }));
      const costs = matchingCosts(ranked, 'near');
      const { assignment } = solveAssignment({ orders: ['o'], teams, cost: [teams.map((t) => costs.get(t.id) ?? null)], unassignedCost: 10 });
      return assignment[0] === null ? null : teams[assignment[0]].id;
    };
    expect(matchingCosts(ranked, 'near').get('near')).toBeGreaterThan(matchingCosts(ranked, 'near').get('far')!);
    expect(solve({})).toBe('mid');
    expect(solve({ mid: 0, far: 0 })).toBe('near');
    // without a team to avoid, the best-scored team wins
    const plain = matchingCosts(ranked, null);
    expect([...plain.entries()].sort((a, b) => a[1] - b[1])[0][0]).toBe('near');
  });
});
