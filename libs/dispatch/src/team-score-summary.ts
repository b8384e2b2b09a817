import type { DispatchWeights, ScoreBreakdown } from './candidate-ranking';

/** Why a team was offered an order, as the team sees it: no proximity, the distance rounded to the kilometre. */
export interface TeamScoreSummary {
  strategy: ScoreBreakdown['strategy'];
  /** Distance from the team's base, rounded to the kilometre (no finer than the ~1 km cell the team is shown). */
  distanceKm: number;
  skillCoverage: number;
  spareCapacity: number;
  reputation: number;
  continuity: number;
  fairness: number;
  jurisdiction: number;
  jurisdictionLevel: ScoreBreakdown['jurisdictionLevel'];
  recentOffers: number;
}

const PARTS_WITHOUT_PROXIMITY = [
  ['skillCoverage', 'skillCoverage'],
  ['spareCapacity', 'load'],
  ['reputation', 'reputation'],
  ['continuity', 'continuity'],
  ['fairness', 'fairness'],
  ['jurisdiction', 'jurisdiction'],
] as const;

/** The team's view of a stored breakdown (see `TeamScoreSummary`) and a score without proximity, to two decimals. */
export function teamScoreSummary(b: Partial<ScoreBreakdown>, weights: DispatchWeights): { score: number; summary: TeamScoreSummary } {
  const part = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  let sum = 0;
  let weightSum = 0;
  for (const [key, weight] of PARTS_WITHOUT_PROXIMITY) {
    sum += weights[weight] * part(b[key]);
    weightSum += weights[weight];
  }
  return {
    score: Math.round((weightSum > 0 ? sum / weightSum : 0) * 100) / 100,
    summary: {
      strategy: b.strategy ?? 'weighted-v2',
      distanceKm: Math.round(part(b.distanceM) / 1000),
      skillCoverage: part(b.skillCoverage),
      spareCapacity: part(b.spareCapacity),
      reputation: part(b.reputation),
      continuity: part(b.continuity),
      fairness: part(b.fairness),
      jurisdiction: part(b.jurisdiction),
      jurisdictionLevel: b.jurisdictionLevel ?? 'outside',
      recentOffers: part(b.recentOffers),
    },
  };
}
