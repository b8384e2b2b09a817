/**
 * Dispatch scoring v2: every candidate gets parts in [0, 1] (higher is better) and a weighted total.
 * Pure functions: the candidate SQL gathers the facts, this file decides.
 */

export type JurisdictionLevel = 'station' | 'township' | 'county' | 'outside';

/** A team that passed the hard filters (active, every required skill, inside its radius, below capacity). */
export interface CandidateTeam {
  teamId: string;
  name: string;
  distanceM: number;
  serviceRadiusM: number;
  activeOrders: number;
  capacity: number;
  /** Members, and those holding every required skill (members without own skills count as holding the team's). */
  members?: number;
  qualifiedMembers?: number;
  /** Bayesian reputation 1..5 from the rating service; null when the team has no rating yet (the prior is used). */
  reputation?: number | null;
  /** 1: served this resident before and was rated ≥ 4★; 0.5: served before, unrated; 0: never, or rated badly. */
  continuity?: number;
  /** Offers received within the fairness window. */
  recentOffers?: number;
  jurisdiction?: JurisdictionLevel;
  previouslyOffered?: boolean;
}

export interface DispatchWeights {
  proximity: number;
  skillCoverage: number;
  load: number;
  reputation: number;
  continuity: number;
  fairness: number;
  jurisdiction: number;
}

export const DEFAULT_WEIGHTS: DispatchWeights = {
  proximity: 0.3,
  skillCoverage: 0.1,
  load: 0.15,
  reputation: 0.15,
  continuity: 0.15,
  fairness: 0.05,
  jurisdiction: 0.1,
};

/** Why a team was chosen; stored on every offer and shown to staff. */
export interface ScoreBreakdown {
  strategy: 'weighted-v2' | 'manual' | 'batch';
  distanceM: number;
  /** 1 at the team's base, 0 at the edge of its service radius. */
  proximity: number;
  /** share of the team's members who hold the required skills */
  skillCoverage: number;
  /** 1 for an idle team, 0 for one at capacity */
  spareCapacity: number;
  /** Bayesian reputation mapped from 1..5 to 0..1 */
  reputation: number;
  continuity: number;
  /** fewer recent offers → closer to 1 */
  fairness: number;
  jurisdiction: number;
  jurisdictionLevel: JurisdictionLevel;
  recentOffers: number;
  total: number;
}

export interface RankedCandidate extends CandidateTeam {
  rank: number;
  score: number;
  breakdown: ScoreBreakdown;
}

export const JURISDICTION_SCORE: Record<JurisdictionLevel, number> = { station: 1, township: 0.6, county: 0.3, outside: 0 };

/** Reputation a team without ratings is assumed to have (the rating service's Bayesian prior). */
export const PRIOR_REPUTATION = 3.5;
/** Offers in the fairness window at which the fairness part halves. */
export const FAIRNESS_HALF_AT = 5;

const clamp01 = (v: number) => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);
const round = (v: number, digits = 4) => Math.round(v * 10 ** digits) / 10 ** digits;

export function scoreCandidate(c: CandidateTeam, weights: DispatchWeights = DEFAULT_WEIGHTS): ScoreBreakdown {
  const jurisdictionLevel = c.jurisdiction ?? 'outside';
  const recentOffers = c.recentOffers ?? 0;
  const parts = {
    proximity: c.serviceRadiusM > 0 ? clamp01(1 - c.distanceM / c.serviceRadiusM) : 0,
    skillCoverage: c.members ? clamp01((c.qualifiedMembers ?? c.members) / c.members) : 1,
    spareCapacity: c.capacity > 0 ? clamp01(1 - c.activeOrders / c.capacity) : 0,
    reputation: clamp01(((c.reputation ?? PRIOR_REPUTATION) - 1) / 4),
    continuity: clamp01(c.continuity ?? 0),
    fairness: clamp01(1 / (1 + recentOffers / FAIRNESS_HALF_AT)),
    jurisdiction: JURISDICTION_SCORE[jurisdictionLevel],
  };
  const weighted =
    weights.proximity * parts.proximity +
    weights.skillCoverage * parts.skillCoverage +
    weights.load * parts.spareCapacity +
    weights.reputation * parts.reputation +
    weights.continuity * parts.continuity +
    weights.fairness * parts.fairness +
    weights.jurisdiction * parts.jurisdiction;
  const weightSum = Object.values(weights).reduce((a, b) => a + b, 0);
  return {
    strategy: 'weighted-v2',
    distanceM: Math.round(c.distanceM),
    proximity: round(parts.proximity),
    skillCoverage: round(parts.skillCoverage),
    spareCapacity: round(parts.spareCapacity),
    reputation: round(parts.reputation),
    continuity: round(parts.continuity),
    fairness: round(parts.fairness),
    jurisdiction: parts.jurisdiction,
    jurisdictionLevel,
    recentOffers,
    total: round(weightSum > 0 ? weighted / weightSum : 0),
  };
}

/**
 * Highest total first; ties go to the nearer team, then to a stable order by id so that every
 * dispatcher process picks the same team.
 */
export function rankCandidates(candidates: CandidateTeam[], weights: DispatchWeights = DEFAULT_WEIGHTS): RankedCandidate[] {
  return candidates
    .map((c) => ({ c, breakdown: scoreCandidate(c, weights) }))
    .sort(
      (a, b) =>
        b.breakdown.total - a.breakdown.total ||
        a.c.distanceM - b.c.distanceM ||
        (a.c.teamId < b.c.teamId ? -1 : a.c.teamId > b.c.teamId ? 1 : 0),
    )
    .map(({ c, breakdown }, i) => ({ ...c, rank: i + 1, score: breakdown.total, breakdown }));
}

/** Where a team sits relative to the order: the deepest of the order's ancestors that the team's region lies under. */
export function jurisdictionOf(
  teamRegionPath: string[],
  orderAncestors: { stationId: string | null; townshipId: string | null; countyId: string | null },
): JurisdictionLevel {
  if (orderAncestors.stationId && teamRegionPath.includes(orderAncestors.stationId)) return 'station';
  if (orderAncestors.townshipId && teamRegionPath.includes(orderAncestors.townshipId)) return 'township';
  if (orderAncestors.countyId && teamRegionPath.includes(orderAncestors.countyId)) return 'county';
  return 'outside';
}

/** A team to offer last (回访 reopened a need it left unsolved): moved behind every other candidate, ranks renumbered. */
export function rankLast(ranked: RankedCandidate[], teamId: string | null | undefined): RankedCandidate[] {
  if (!teamId || !ranked.some((r) => r.teamId === teamId)) return ranked;
  return [...ranked.filter((r) => r.teamId !== teamId), ...ranked.filter((r) => r.teamId === teamId)].map((r, i) => ({ ...r, rank: i + 1 }));
}

/**
 * Batch dispatch's cost of giving the order to each candidate (1 − score); a team to offer last (回访
 * redo) costs 2 more, so the matching takes any other candidate with spare capacity before it (still
 * cheaper than leaving the order unassigned).
 */
export function matchingCosts(ranked: readonly RankedCandidate[], avoidTeamId: string | null | undefined): Map<string, number> {
  return new Map(ranked.map((c) => [c.teamId, 1 - c.score + (avoidTeamId && c.teamId === avoidTeamId ? 2 : 0)]));
}
