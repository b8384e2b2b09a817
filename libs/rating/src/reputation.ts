export interface ReputationInputs {
  ratingCount: number;
  starsSum: number;
}

export interface ReputationPrior {
  /** The average a team is assumed to have before any rating. */
  mean: number;
  /** How many ratings that assumption is worth. */
  weight: number;
}

export interface Reputation {
  ratingCount: number;
  average: number | null;
  /** Bayesian average: (weight·mean + Σstars) / (weight + n). One 5★ rating moves it only a little. */
  score: number;
}

const round2 = (v: number) => Math.round(v * 100) / 100;

export function computeReputation(inputs: ReputationInputs, prior: ReputationPrior): Reputation {
  const n = inputs.ratingCount;
  const average = n > 0 ? inputs.starsSum / n : null;
  const score = (prior.weight * prior.mean + inputs.starsSum) / (prior.weight + n || 1);
  return { ratingCount: n, average: average === null ? null : round2(average), score: round2(n === 0 && prior.weight === 0 ? 0 : score) };
}
