import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLog, RequestMeta } from '@xinyuan/audit';
import { Clock, DomainException, ErrorCode } from '@xinyuan/common';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService, scopeSql } from '@xinyuan/org';
import { CareAccess } from './care-access';
import { DEFAULT_TIME_ZONE } from './care-plans';

export const CAMPAIGN_REASONS = ['cold_snap', 'heat_wave', 'festival', 'other'] as const;
export type CampaignReason = (typeof CAMPAIGN_REASONS)[number];
export const CAMPAIGN_REASON_LABELS: Record<CampaignReason, string> = { cold_snap: '寒潮', heat_wave: '高温', festival: '节日', other: '其他' };

export interface CampaignInput {
  clientKey: string;
  regionId: string;
  reason: CampaignReason;
  title?: string;
  tags: string[];
  ageBands?: string[];
  dueAt: string;
}

export interface CampaignView {
  id: string;
  regionId: string;
  regionName: string | null;
  reason: CampaignReason;
  title: string;
  tags: string[];
  ageBands: string[];
  dueAt: string;
  createdBy: string;
  createdAt: string;
  progress: { total: number; done: number; open: number; overdue: number; concerns: number; unassigned: number };
}

const CAMPAIGN_COLUMNS = `c.*, r.name AS region_name,
  (SELECT json_build_object(
     'total', count(*), 'done', count(*) FILTER (WHERE v.status = 'done'), 'open', count(*) FILTER (WHERE v.status = 'open'),
     'overdue', count(*) FILTER (WHERE v.status = 'open' AND v.due_at < $1::timestamptz),
     'concerns', count(*) FILTER (WHERE v.wellbeing IN ('concern', 'urgent')),
     'unassigned', count(*) FILTER (WHERE v.assignee_user_id IS NULL AND v.team_id IS NULL))
     FROM care_visits v WHERE v.campaign_id = c.id) AS progress`;

/**
 * Campaigns (五必访, weather): staff or a grid worker pick a region in their jurisdiction, a tag set
 * (all of them must apply) and optionally age bands, and a reason; one visit task is made per
 * matching person, due by `dueAt`, assigned to the person's plan assignee (the first duty with one,
 * visits first; or its team), else to the grid worker of the person's region (the nearest grid up the
 * tree). One statement, one transaction; a second create with the same client key answers the first
 * campaign. Progress (done / total, overdue, concerns) is counted from the tasks.
 */
@Injectable()
export class CareCampaigns {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdiction: JurisdictionService,
    private readonly access: CareAccess,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async create(user: AuthUser, input: CampaignInput): Promise<{ campaign: CampaignView; created: boolean }> {
    const now = this.clock.now();
    const due = new Date(input.dueAt);
    if (Number.isNaN(due.getTime()) || due.getTime() <= now.getTime()) {
      throw DomainException.validation([{ field: 'dueAt', messages: ['dueAt must be in the future'] }], '完成时间要晚于现在');
    }
    const ageBands = input.ageBands ?? [];
    if (!input.tags.length && !ageBands.length) {
      throw DomainException.validation([{ field: 'tags', messages: ['pick at least one tag or age band'] }], '请至少选择一类人群');
    }
    return this.dataSource.transaction(async (m) => {
      const existing = await this.byKey(m, user.id, input.clientKey, now);
      if (existing) return { campaign: existing, created: false };
      const [region] = await m.query(`SELECT id FROM regions WHERE id = $1`, [input.regionId]);
      if (!region || !(await this.access.official(m, user, input.regionId))) throw new DomainException(ErrorCode.OutsideJurisdiction, 403);
      const title = (input.title?.trim() || `${CAMPAIGN_REASON_LABELS[input.reason]}走访`).slice(0, 100);
      const [c] = await m.query(
        `INSERT INTO care_campaigns (region_id, reason, title, tags, age_bands, due_at, client_key, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (created_by, client_key) DO NOTHING RETURNING id`,
        [input.regionId, input.reason, title, input.tags, ageBands, due, input.clientKey, user.id, now],
      );
      if (!c) {
        // a concurrent create with the same key won
        const won = await this.byKey(m, user.id, input.clientKey, now);
        if (won) return { campaign: won, created: false };
        throw DomainException.conflict(ErrorCode.IdempotencyKeyReused);
      }
      const made: { n: number }[] = await m.query(
        `WITH made AS (
           INSERT INTO care_visits (beneficiary_id, kind, reason, due_at, time_zone, assignee_user_id, team_id, status, campaign_id, data, created_at)
           SELECT b.id, 'visit', $3, $4, COALESCE(p.time_zone, $5), COALESCE(d.assignee_user_id, CASE WHEN d.team_id IS NULL THEN g.id END),
                  CASE WHEN d.assignee_user_id IS NULL THEN d.team_id END, 'open', $1, jsonb_build_object('reason', $6::text), $9
             FROM beneficiaries b
             JOIN regions br ON br.id = b.region_id
             LEFT JOIN care_plans p ON p.beneficiary_id = b.id
             LEFT JOIN LATERAL (
               SELECT cd.assignee_user_id, cd.team_id FROM care_duties cd
                WHERE cd.beneficiary_id = b.id AND cd.retired_at IS NULL AND (cd.assignee_user_id IS NOT NULL OR cd.team_id IS NOT NULL)
                ORDER BY (cd.kind = 'visit') DESC, cd.created_at, cd.id LIMIT 1) d ON true
             LEFT JOIN LATERAL (
               SELECT u.id FROM users u
                WHERE u.disabled_at IS NULL AND 'grid_worker' = ANY(u.roles) AND u.region_id = ANY(br.path)
                ORDER BY array_position(br.path, u.region_id) DESC, u.created_at, u.id LIMIT 1) g ON true
            WHERE b.archived_at IS NULL AND br.path @> ARRAY[$2::uuid] AND b.tags @> $7::text[]
              AND (cardinality($8::text[]) = 0 OR b.age_band = ANY($8::text[]))
           ON CONFLICT DO NOTHING RETURNING 1)
         SELECT count(*)::int AS n FROM made`,
        [c.id, input.regionId, title, due, DEFAULT_TIME_ZONE, input.reason, input.tags, ageBands, now],
      );
      // nobody matched: nothing is written (the whole transaction goes)
      if (!made[0].n) throw new DomainException(ErrorCode.CareCampaignEmpty, 422, undefined, [{ field: 'tags', messages: ['no person in the region matches'] }]);
      return { campaign: (await this.one(m, c.id, now))!, created: true };
    });
  }

  async list(user: AuthUser, filter: { limit: number }): Promise<{ items: CampaignView[] }> {
    const now = this.clock.now();
    const params: unknown[] = [now];
    const staff = scopeSql(await this.jurisdiction.staffScope(user), 'c.region_id', params);
    const grid = scopeSql(await this.jurisdiction.gridScope(user), 'c.region_id', params);
    params.push(filter.limit);
    const rows = await this.dataSource.query(
      `SELECT ${CAMPAIGN_COLUMNS} FROM care_campaigns c LEFT JOIN regions r ON r.id = c.region_id
        WHERE (${staff} OR ${grid}) ORDER BY c.created_at DESC, c.id DESC LIMIT $${params.length}`,
      params,
    );
    return { items: rows.map(campaignView) };
  }

  async get(user: AuthUser, id: string, meta: RequestMeta): Promise<CampaignView> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const view = await this.one(m, id, now);
      if (!view || !(await this.access.official(m, user, view.regionId))) throw DomainException.notFound(ErrorCode.CareCampaignNotFound);
      await this.audit.record({ actor: user, action: 'care.campaign.read', objectType: 'care_campaign', objectId: id, regionId: view.regionId,
        outcome: 'success', statusCode: 200, meta }, m);
      return view;
    });
  }

  private async byKey(m: EntityManager, userId: string, key: string, now: Date): Promise<CampaignView | null> {
    const [row] = await m.query(`SELECT id FROM care_campaigns WHERE created_by = $1 AND client_key = $2`, [userId, key]);
    return row ? this.one(m, row.id, now) : null;
  }

  private async one(m: EntityManager, id: string, now: Date): Promise<CampaignView | null> {
    const [row] = await m.query(`SELECT ${CAMPAIGN_COLUMNS} FROM care_campaigns c LEFT JOIN regions r ON r.id = c.region_id WHERE c.id = $2`, [now, id]);
    return row ? campaignView(row) : null;
  }
}

function campaignView(r: any): CampaignView {
  const p = r.progress ?? {};
  return {
    id: r.id, regionId: r.region_id, regionName: r.region_name ?? null, reason: r.reason, title: r.title, tags: r.tags, ageBands: r.age_bands,
    dueAt: new Date(r.due_at).toISOString(), createdBy: r.created_by, createdAt: new Date(r.created_at).toISOString(),
    progress: { total: p.total ?? 0, done: p.done ?? 0, open: p.open ?? 0, overdue: p.overdue ?? 0, concerns: p.concerns ?? 0, unassigned: p.unassigned ?? 0 },
  };
}
