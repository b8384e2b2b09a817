/**
 * 五星服务队: the monthly team ranking of one jurisdiction (county), pure so the unit spec calls it.
 *
 * score (0…100) = 50 × hours share + 30 × satisfaction + 20 × answer rate, where
 * - hours share   = the team's verified volunteer minutes of the month ÷ the most any team of the county
 *                   recorded that month (1 for the busiest team; 0 when nobody served),
 * - satisfaction  = average stars of the month's ratings ÷ 5 (0 without ratings),
 * - answer rate   = offers answered (accepted or declined) ÷ offers that ended (answered or expired)
 *                   in the month (0 without offers: a team that is never asked has not answered).
 * The top `fiveStarCount` teams of a county with some verified minutes that month are 五星服务队.
 * Ties: higher score, then more minutes, then more ratings, then name.
 */
export interface TeamMonthFacts {
  teamId: string;
  teamName: string;
  countyId: string;
  verifiedMinutes: number;
  ratingCount: number;
  starsSum: number;
  offersAnswered: number;
  offersExpired: number;
}

export interface TeamRanking extends TeamMonthFacts {
  rank: number;
  averageStars: number | null;
  answerRate: number | null;
  score: number;
  fiveStar: boolean;
}

export const RANKING_WEIGHTS = { hours: 50, satisfaction: 30, answers: 20 } as const;

const round1 = (x: number) => Math.round(x * 10) / 10;

export function rankTeams(facts: readonly TeamMonthFacts[], fiveStarCount: number): TeamRanking[] {
  const byCounty = new Map<string, TeamMonthFacts[]>();
  for (const f of facts) byCounty.set(f.countyId, [...(byCounty.get(f.countyId) ?? []), f]);
  const out: TeamRanking[] = [];
  for (const teams of byCounty.values()) {
    const most = Math.max(0, ...teams.map((t) => t.verifiedMinutes));
    const scored = teams.map((t) => {
      const averageStars = t.ratingCount > 0 ? t.starsSum / t.ratingCount : null;
      const ended = t.offersAnswered + t.offersExpired;
      const answerRate = ended > 0 ? t.offersAnswered / ended : null;
      const score =
        RANKING_WEIGHTS.hours * (most > 0 ? Math.max(0, t.verifiedMinutes) / most : 0) +
        RANKING_WEIGHTS.satisfaction * ((averageStars ?? 0) / 5) +
        RANKING_WEIGHTS.answers * (answerRate ?? 0);
      return { ...t, averageStars: averageStars === null ? null : Math.round(averageStars * 100) / 100,
        answerRate: answerRate === null ? null : Math.round(answerRate * 1000) / 1000, score: round1(score), rank: 0, fiveStar: false };
    });
    scored.sort((a, b) => b.score - a.score || b.verifiedMinutes - a.verifiedMinutes || b.ratingCount - a.ratingCount || a.teamName.localeCompare(b.teamName));
    let flagged = 0;
    scored.forEach((t, i) => {
      t.rank = i + 1;
      if (flagged < fiveStarCount && t.verifiedMinutes > 0) {
        t.fiveStar = true;
        flagged++;
      }
    });
    out.push(...scored);
  }
  return out;
}

/** The local month (YYYY-MM) that `now` falls in, in the given time zone. */
export function monthOf(now: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(now);
  return `${parts.find((p) => p.type === 'year')!.value}-${parts.find((p) => p.type === 'month')!.value}`;
}
