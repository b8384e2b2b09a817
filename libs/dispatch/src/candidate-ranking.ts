/** A team that passed the hard filters (active, skills, radius, capacity) for one order. */
export interface CandidateTeam {
  teamId: string;
  name: string;
  distanceM: number;
  serviceRadiusM: number;
  activeOrders: number;
  capacity: number;
  previouslyOffered?: boolean;
}

/** Why a team was chosen; stored on every offer and shown to staff. Parts are in [0, 1], higher is better. */
export interface ScoreBreakdown {
  strategy: 'nearest-v1' | 'manual';
  distanceM: number;
  /** 1 at the team's base, 0 at the edge of its service radius. */
  proximity: number;
  /** 1 for an idle team, 0 for one at capacity. */
  spareCapacity: number;
  total: number;
}

export interface RankedCandidate extends CandidateTeam {
  rank: number;
  score: number;
  breakdown: ScoreBreakdown;
}

const round = (v: number, digits = 4) => Math.round(v * 10 ** digits) / 10 ** digits;

export function scoreCandidate(c: CandidateTeam): ScoreBreakdown {
  const proximity = c.serviceRadiusM > 0 ? Math.max(0, 1 - c.distanceM / c.serviceRadiusM) : 0;
  const spareCapacity = c.capacity > 0 ? Math.max(0, 1 - c.activeOrders / c.capacity) : 0;
  return {
    strategy: 'nearest-v1',
    distanceM: Math.round(c.distanceM),
    proximity: round(proximity),
    spareCapacity: round(spareCapacity),
    total: round(0.8 * proximity + 0.2 * spareCapacity),
  };
}

/**
 * Dispatch v1: nearest capable team first; among equally near teams the one with more spare
 * capacity, then a stable order by id so every dispatcher process picks the same team.
 */
export function rankCandidates(candidates: CandidateTeam[]): RankedCandidate[] {
  return candidates
    .map((c) => ({ c, breakdown: scoreCandidate(c) }))
    .sort(
      (a, b) =>
        a.c.distanceM - b.c.distanceM ||
        b.breakdown.spareCapacity - a.breakdown.spareCapacity ||
        (a.c.teamId < b.c.teamId ? -1 : a.c.teamId > b.c.teamId ? 1 : 0),
    )
    .map(({ c, breakdown }, i) => ({ ...c, rank: i + 1, score: breakdown.total, breakdown }));
}
