import { CandidateTeam, rankCandidates, scoreCandidate } from './candidate-ranking';

const team = (id: string, distanceM: number, extra: Partial<CandidateTeam> = {}): CandidateTeam => ({
  teamId: id, name: id, distanceM, serviceRadiusM: 5000, activeOrders: 0, capacity: 5, ...extra,
});

describe('candidate ranking (dispatch v1: nearest first)', () => {
  it('ranks by distance, nearest first', () => {
    const ranked = rankCandidates([team('c', 3000), team('a', 200), team('b', 1200)]);
    expect(ranked.map((r) => r.teamId)).toEqual(['a', 'b', 'c']);
    expect(ranked.map((r) => r.rank)).toEqual([1, 2, 3]);
  });

  it('breaks distance ties by spare capacity, then by id, so every dispatcher picks the same team', () => {
    const ranked = rankCandidates([
      team('z', 500, { activeOrders: 4 }),
      team('y', 500, { activeOrders: 1 }),
      team('x', 500, { activeOrders: 1 }),
    ]);
    expect(ranked.map((r) => r.teamId)).toEqual(['x', 'y', 'z']);
  });

  it('explains each choice with a breakdown in [0, 1]', () => {
    const b = scoreCandidate(team('a', 1000, { serviceRadiusM: 4000, activeOrders: 1, capacity: 4 }));
    expect(b).toEqual({ strategy: 'nearest-v1', distanceM: 1000, proximity: 0.75, spareCapacity: 0.75, total: 0.75 });
  });

  it('scores a team at the edge of its radius and at capacity as zero', () => {
    const b = scoreCandidate(team('a', 5000, { activeOrders: 5 }));
    expect(b.proximity).toBe(0);
    expect(b.spareCapacity).toBe(0);
    expect(b.total).toBe(0);
  });

  it('returns nothing for no candidates', () => {
    expect(rankCandidates([])).toEqual([]);
  });
});
