import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService, scopeSql } from '@xinyuan/org';
import { monthOf, rankTeams, TeamMonthFacts, TeamRanking } from './team-ranking';

export interface TeamRankingItem {
  rank: number;
  teamId: string;
  teamName: string;
  area: string | null;
  verifiedMinutes: number;
  ratingCount: number;
  averageStars: number | null;
  offersAnswered: number;
  offersExpired: number;
  answerRate: number | null;
  score: number;
  fiveStar: boolean;
  /** The caller is a member of this team (volunteers). */
  mine: boolean;
}

export interface TeamRankingsView {
  month: string;
  fiveStarCount: number;
  items: TeamRankingItem[];
}

/**
 * 五星服务队: each county's teams ranked for one local month by verified volunteer minutes (ledger
 * rows credited through the team, served that month, corrections included), satisfaction (ratings
 * given that month) and answered offers (offers that ended that month). Staff see the teams of their
 * jurisdiction, volunteers the teams of their own teams' counties; the rank is always within the county.
 */
@Injectable()
export class TeamRankingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdiction: JurisdictionService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async rankings(user: AuthUser, month?: string): Promise<TeamRankingsView> {
    const m = month ?? monthOf(this.clock.now(), this.config.STATS_TIME_ZONE);
    const tz = this.config.STATS_TIME_ZONE;
    const staff = user.roles.includes('admin') || user.roles.includes('dispatcher');
    // the counties whose teams the caller may see (ranked in full: a rank is within the county)
    const params: unknown[] = [`${m}-01`, tz, user.id];
    const visible = staff
      ? scopeSql(await this.jurisdiction.staffScope(user), 't.region_id', params)
      : `r.path[1] IN (SELECT mr.path[1] FROM team_members tm JOIN teams mt ON mt.id = tm.team_id JOIN regions mr ON mr.id = mt.region_id WHERE tm.user_id = $3)`;
    const rows: (TeamMonthFacts & { area: string | null; visible: boolean; mine: boolean })[] = await this.dataSource.query(
      `WITH bounds AS (SELECT ($1::date::timestamp AT TIME ZONE $2) AS t0, (($1::date + interval '1 month')::timestamp AT TIME ZONE $2) AS t1),
            counties AS (SELECT DISTINCT r.path[1] AS county FROM teams t JOIN regions r ON r.id = t.region_id WHERE t.active AND ${visible})
       SELECT t.id AS "teamId", t.name AS "teamName", r.path[1]::text AS "countyId", r.name AS area,
              (${visible}) AS visible,
              EXISTS (SELECT 1 FROM team_members tm WHERE tm.team_id = t.id AND tm.user_id = $3) AS mine,
              COALESCE((SELECT sum(l.minutes) FROM service_ledger l JOIN service_credits c ON c.id = l.credit_id, bounds b
                         WHERE c.team_id = t.id AND l.served_at >= b.t0 AND l.served_at < b.t1), 0)::int AS "verifiedMinutes",
              (SELECT count(*) FROM ratings g, bounds b WHERE g.team_id = t.id AND g.created_at >= b.t0 AND g.created_at < b.t1)::int AS "ratingCount",
              COALESCE((SELECT sum(g.stars) FROM ratings g, bounds b WHERE g.team_id = t.id AND g.created_at >= b.t0 AND g.created_at < b.t1), 0)::int AS "starsSum",
              (SELECT count(*) FROM offers o, bounds b WHERE o.team_id = t.id AND o.status IN ('accepted', 'declined')
                  AND o.responded_at >= b.t0 AND o.responded_at < b.t1)::int AS "offersAnswered",
              (SELECT count(*) FROM offers o, bounds b WHERE o.team_id = t.id AND o.status = 'expired'
                  AND COALESCE(o.responded_at, o.expires_at) >= b.t0 AND COALESCE(o.responded_at, o.expires_at) < b.t1)::int AS "offersExpired"
         FROM teams t JOIN regions r ON r.id = t.region_id
        WHERE t.active AND r.path[1] IN (SELECT county FROM counties)`,
      params,
    );
    const fiveStarCount = this.config.FIVE_STAR_TEAMS_PER_COUNTY;
    const extra = new Map(rows.map((r) => [r.teamId, r]));
    const ranked: TeamRanking[] = rankTeams(rows, fiveStarCount);
    const items = ranked
      .filter((t) => extra.get(t.teamId)!.visible)
      .map((t) => ({
        rank: t.rank, teamId: t.teamId, teamName: t.teamName, area: extra.get(t.teamId)!.area, verifiedMinutes: t.verifiedMinutes,
        ratingCount: t.ratingCount, averageStars: t.averageStars, offersAnswered: t.offersAnswered, offersExpired: t.offersExpired,
        answerRate: t.answerRate, score: t.score, fiveStar: t.fiveStar, mine: extra.get(t.teamId)!.mine,
      }));
    return { month: m, fiveStarCount, items };
  }
}
