import { monthOf, rankTeams, TeamMonthFacts } from './team-ranking';

const team = (id: string, over: Partial<TeamMonthFacts>): TeamMonthFacts => ({
  teamId: id, teamName: id, countyId: 'c1', verifiedMinutes: 0, ratingCount: 0, starsSum: 0, offersAnswered: 0, offersExpired: 0, ...over,
});

describe('五星服务队 ranking', () => {
  it('weighs hours, satisfaction and answered offers 50/30/20', () => {
    const [a, b] = rankTeams([
      team('a', { verifiedMinutes: 600, ratingCount: 2, starsSum: 10, offersAnswered: 4, offersExpired: 0 }),
      team('b', { verifiedMinutes: 300, ratingCount: 1, starsSum: 3, offersAnswered: 1, offersExpired: 1 }),
    ], 1);
    expect(a).toMatchObject({ teamId: 'a', rank: 1, score: 100, averageStars: 5, answerRate: 1, fiveStar: true });
    // 50 × 0.5 + 30 × 0.6 + 20 × 0.5 = 53
    expect(b).toMatchObject({ teamId: 'b', rank: 2, score: 53, averageStars: 3, answerRate: 0.5, fiveStar: false });
  });

  it('ranks each county on its own and never flags a team without minutes', () => {
    const out = rankTeams([
      team('a', { countyId: 'c1', verifiedMinutes: 60 }),
      team('b', { countyId: 'c2', verifiedMinutes: 0, ratingCount: 1, starsSum: 5 }),
      team('c', { countyId: 'c2', verifiedMinutes: 10 }),
    ], 3);
    expect(out.find((t) => t.teamId === 'a')).toMatchObject({ rank: 1, fiveStar: true });
    expect(out.find((t) => t.teamId === 'c')).toMatchObject({ rank: 1, score: 50, fiveStar: true });
    expect(out.find((t) => t.teamId === 'b')).toMatchObject({ rank: 2, score: 30, fiveStar: false });
  });

  it('takes the month in the local time zone', () => {
    expect(monthOf(new Date('2026-11-30T17:00:00Z'), 'Asia/Shanghai')).toBe('2026-12');
    expect(monthOf(new Date('2026-11-30T15:00:00Z'), 'Asia/Shanghai')).toBe('2026-11');
  });
});
