import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { decodeCursor, Page, toPage } from '@xinyuan/common';
import { coarsen, fromGeoJsonPoint, LatLng } from '@xinyuan/geo';
import type { AuthUser } from '@xinyuan/identity';
import { OrderErrors } from '@xinyuan/orders';
import { JurisdictionService, scopeSql, TeamDirectory } from '@xinyuan/org';
import { CandidateFinder } from './candidate-finder';
import { DispatchWeights, RankedCandidate, rankCandidates, ScoreBreakdown } from './candidate-ranking';
import { weightsFrom } from './dispatch-order.use-case';
import { AppConfig } from '@xinyuan/config';
import type { OfferStatus } from './offer.tables';
import { TeamScoreSummary, teamScoreSummary } from './team-score-summary';

/**
 * What a team sees of an offer: never the exact address, location or phone, and nothing from which
 * they could be worked out. While the offer is pending: the order's summary (area, ~1 km cell) and
 * why the team was chosen without the distance part — the distance rounded to the kilometre, no
 * proximity, a score computed without proximity. Once it is no longer pending (accepted, declined,
 * expired, withdrawn): only what tells the team what became of it (id, order, status, service, times).
 * Staff read the full breakdown through the order's candidates and timeline.
 */
export interface OfferView {
  id: string;
  orderId: string;
  teamId: string;
  teamName: string;
  status: OfferStatus;
  source: 'auto' | 'manual';
  mode: 'offer' | 'grab';
  expiresAt: string;
  createdAt: string;
  /** Pending only (null after): the score without its proximity part. */
  score: number | null;
  /** Pending only (null after). */
  scoreBreakdown: TeamScoreSummary | null;
  order: {
    serviceCode: string; serviceName: string;
    // pending only:
    description?: string; area?: string | null; coarseLocation?: LatLng; status?: string; urgent?: boolean;
    /** When the resident would like the team to come (null: any time). */
    preferredStart?: string | null; preferredEnd?: string | null;
  };
}

export interface QueueItem {
  orderId: string;
  status: string;
  serviceCode: string;
  serviceName: string;
  description: string;
  area: string | null;
  waitingSince: string;
  createdAt: string;
  lastNote: string | null;
  urgent: boolean;
}

@Injectable()
export class OfferQueries {
  private readonly weights: DispatchWeights;

  constructor(
    private readonly dataSource: DataSource,
    private readonly teams: TeamDirectory,
    private readonly finder: CandidateFinder,
    private readonly jurisdiction: JurisdictionService,
    config: AppConfig,
  ) {
    this.weights = weightsFrom(config);
  }

  async listForMember(user: AuthUser, filter: { status?: OfferStatus; limit: number; cursor?: string }): Promise<Page<OfferView>> {
    const teamIds = await this.teams.teamIdsOf(user.id);
    if (teamIds.length === 0) return { items: [], nextCursor: null };
    const params: unknown[] = [teamIds];
    const where = ['f.team_id = ANY($1::uuid[])'];
    if (filter.status) {
      params.push(filter.status);
      where.push(`f.status = $${params.length}`);
    }
    const cursor = decodeCursor(filter.cursor);
    if (cursor) {
      params.push(cursor.at, cursor.id);
      where.push(`(f.created_at, f.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(filter.limit + 1);
    const rows: Record<string, any>[] = await this.dataSource.query(
      `SELECT f.id, f.order_id, f.team_id, t.name AS team_name, f.status, f.source, f.mode, f.expires_at, f.created_at,
              f.created_at::text AS cursor_at, f.score, f.score_breakdown,
              o.service_code, s.name AS service_name, o.description, o.status AS order_status, o.urgent, r.name AS area_name,
              o.preferred_start, o.preferred_end,
              CASE WHEN f.status = 'pending' THEN ST_AsGeoJSON(o.location)::json END AS location
         FROM offers f
         JOIN orders o ON o.id = f.order_id
         JOIN services s ON s.id = o.service_id
         JOIN teams t ON t.id = f.team_id
         LEFT JOIN regions r ON r.id = o.region_id
        WHERE ${where.join(' AND ')}
        ORDER BY f.created_at DESC, f.id DESC
        LIMIT $${params.length}`,
      params,
    );
    const page = toPage(rows, filter.limit, (r) => ({ at: r.cursor_at, id: r.id }));
    return {
      items: page.items.map((r): OfferView => {
        const base = {
          id: r.id,
          orderId: r.order_id,
          teamId: r.team_id,
          teamName: r.team_name,
          status: r.status,
          source: r.source,
          mode: r.mode,
          expiresAt: new Date(r.expires_at).toISOString(),
          createdAt: new Date(r.created_at).toISOString(),
        };
        // an offer no longer pending: the team only needs to know what became of it
        if (r.status !== 'pending') {
          return { ...base, score: null, scoreBreakdown: null, order: { serviceCode: r.service_code, serviceName: r.service_name } };
        }
        const { score, summary } = teamScoreSummary(r.score_breakdown ?? {}, this.weights);
        return {
          ...base,
          score,
          scoreBreakdown: summary,
          order: {
            serviceCode: r.service_code,
            serviceName: r.service_name,
            description: r.description,
            area: r.area_name,
            coarseLocation: coarsen(fromGeoJsonPoint(r.location)!),
            status: r.order_status,
            urgent: r.urgent,
            preferredStart: r.preferred_start ? new Date(r.preferred_start).toISOString() : null,
            preferredEnd: r.preferred_end ? new Date(r.preferred_end).toISOString() : null,
          },
        };
      }),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * Ranked teams for staff, including teams already offered this order (flagged). Only for orders of
   * the caller's jurisdiction, and only teams of it: a township dispatcher sees the township's teams.
   */
  async candidates(user: AuthUser, orderId: string): Promise<{ orderId: string; weights: DispatchWeights; items: RankedCandidate[] }> {
    const [order] = await this.dataSource.query(
      `SELECT o.id, o.resident_id, o.region_id, ST_AsGeoJSON(o.location)::json AS location, s.required_skills
         FROM orders o JOIN services s ON s.id = o.service_id WHERE o.id = $1`,
      [orderId],
    );
    if (!order) throw OrderErrors.notFound();
    const m = this.dataSource.manager;
    const scope = await this.jurisdiction.staffScope(user, m);
    if (!(await this.jurisdiction.staffCovers(user, order.region_id, m))) throw OrderErrors.notFound();
    const found = await this.finder.find(m, {
      orderId,
      residentId: order.resident_id,
      location: fromGeoJsonPoint(order.location)!,
      requiredSkills: order.required_skills,
      ancestors: await this.finder.ancestorsOf(m, order.region_id),
      scopeRegionId: scope.kind === 'subtree' ? scope.regionId : null,
      excludePreviouslyOffered: false,
      limit: 50,
    });
    return { orderId, weights: this.weights, items: rankCandidates(found, this.weights) };
  }

  /** Orders of the caller's jurisdiction that need a person: escalated and awaiting review, oldest first. */
  async dispatchQueue(user: AuthUser, filter: { limit: number; cursor?: string }): Promise<Page<QueueItem>> {
    const params: unknown[] = [];
    const where = [`o.status IN ('escalated', 'pending_review')`, scopeSql(await this.jurisdiction.staffScope(user), 'o.region_id', params)];
    const cursor = decodeCursor(filter.cursor);
    if (cursor) {
      params.push(cursor.at, cursor.id);
      where.push(`(o.updated_at, o.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(filter.limit + 1);
    const rows: Record<string, any>[] = await this.dataSource.query(
      `SELECT o.id, o.status, o.urgent, o.service_code, s.name AS service_name, o.description, r.name AS area_name,
              o.updated_at, o.updated_at::text AS cursor_at, o.created_at,
              (SELECT e.note FROM order_events e WHERE e.order_id = o.id ORDER BY e.id DESC LIMIT 1) AS last_note
         FROM orders o JOIN services s ON s.id = o.service_id LEFT JOIN regions r ON r.id = o.region_id
        WHERE ${where.join(' AND ')}
        ORDER BY o.updated_at, o.id
        LIMIT $${params.length}`,
      params,
    );
    const page = toPage(rows, filter.limit, (r) => ({ at: r.cursor_at, id: r.id }));
    return {
      items: page.items.map((r) => ({
        orderId: r.id,
        status: r.status,
        serviceCode: r.service_code,
        serviceName: r.service_name,
        description: r.description,
        area: r.area_name,
        waitingSince: new Date(r.updated_at).toISOString(),
        createdAt: new Date(r.created_at).toISOString(),
        lastNote: r.last_note,
        urgent: r.urgent,
      })),
      nextCursor: page.nextCursor,
    };
  }
}
