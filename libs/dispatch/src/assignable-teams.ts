import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainException } from '@xinyuan/common';
import type { AuthUser } from '@xinyuan/identity';
import { OrderErrors } from '@xinyuan/orders';
import { JurisdictionService, scopeSql } from '@xinyuan/org';
import type { PendingOfferRef } from './offer.exception';

/** A team staff may assign an order to by hand, with what they need to judge it. */
export interface AssignableTeam {
  teamId: string;
  name: string;
  regionId: string;
  regionName: string | null;
  distanceM: number;
  serviceRadiusM: number;
  /** False: the order lies beyond the team's own service radius (flagged, still assignable). */
  withinServiceRadius: boolean;
  activeOrders: number;
  capacity: number;
  /** At capacity: cannot take another order now (assigning is refused). */
  atCapacity: boolean;
  skills: string[];
  /** Required skills of the menu item the team does not list (assignable only when confirmed). */
  missingSkills: string[];
  previouslyOffered: boolean;
  /** The team holds this order's pending offer now. */
  holdsPendingOffer: boolean;
}

export interface AssignableTeamPage {
  orderId: string;
  requiredSkills: string[];
  /** Offers of the order still waiting for an answer: assigning another team withdraws them (after confirmation). */
  pendingOffers: PendingOfferRef[];
  items: AssignableTeam[];
  nextCursor: string | null;
}

interface Row {
  id: string;
  name: string;
  region_id: string;
  region_name: string | null;
  service_radius_m: number;
  active_orders: number;
  capacity: number;
  skills: string[];
  distance_m: number;
  missing_skills: string[];
  previously_offered: boolean;
  holds_pending: boolean;
}

/** Keyset over (distance to the order, team id): the distance is recomputed identically on every page. */
function decodeDistanceCursor(raw: string | undefined): [number, string] | undefined {
  if (!raw) return undefined;
  try {
    const [d, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (typeof d === 'number' && Number.isFinite(d) && d >= 0 && typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id)) return [d, id];
  } catch {
    // fall through
  }
  throw DomainException.validation([{ field: 'cursor', messages: ['cursor is invalid'] }], '分页游标无效');
}

/**
 * Manual 派单's search: every active team of the caller's jurisdiction, by name, nearest to the order
 * first — not only the ranked candidates, so staff can reach a team the hard filters left out (beyond
 * its radius, lacking a skill on paper) and see why it was left out.
 */
@Injectable()
export class AssignableTeams {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdiction: JurisdictionService,
  ) {}

  async search(user: AuthUser, orderId: string, filter: { q?: string; limit: number; cursor?: string }): Promise<AssignableTeamPage> {
    const m = this.dataSource.manager;
    const [order]: { region_id: string | null; location: string; required_skills: string[] }[] = await m.query(
      `SELECT o.region_id, o.location::text AS location, s.required_skills FROM orders o JOIN services s ON s.id = o.service_id WHERE o.id = $1`,
      [orderId],
    );
    if (!order || !(await this.jurisdiction.staffCovers(user, order.region_id, m))) throw OrderErrors.notFound();
    const params: unknown[] = [order.location, order.required_skills, orderId];
    const distance = `ST_Distance(t.location, $1::geography)`;
    const where = ['t.active', scopeSql(await this.jurisdiction.staffScope(user, m), 't.region_id', params)];
    const q = filter.q?.trim();
    if (q) {
      // % and _ are taken literally
      params.push(`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`t.name ILIKE $${params.length}`);
    }
    const cursor = decodeDistanceCursor(filter.cursor);
    if (cursor) {
      params.push(cursor[0], cursor[1]);
      where.push(`(${distance}, t.id) > ($${params.length - 1}::float8, $${params.length}::uuid)`);
    }
    params.push(filter.limit + 1);
    const rows: Row[] = await m.query(
      `SELECT t.id, t.name, t.region_id, r.name AS region_name, t.service_radius_m, t.active_orders, t.capacity, t.skills,
              ${distance} AS distance_m,
              ARRAY(SELECT unnest($2::text[]) EXCEPT SELECT unnest(t.skills)) AS missing_skills,
              EXISTS (SELECT 1 FROM offers f WHERE f.order_id = $3 AND f.team_id = t.id) AS previously_offered,
              EXISTS (SELECT 1 FROM offers f WHERE f.order_id = $3 AND f.team_id = t.id AND f.status = 'pending') AS holds_pending
         FROM teams t LEFT JOIN regions r ON r.id = t.region_id
        WHERE ${where.join(' AND ')}
        ORDER BY distance_m, t.id
        LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    const pending: { id: string; team_id: string; team_name: string; expires_at: Date }[] = await m.query(
      `SELECT f.id, f.team_id, t.name AS team_name, f.expires_at FROM offers f JOIN teams t ON t.id = f.team_id
        WHERE f.order_id = $1 AND f.status = 'pending' ORDER BY f.created_at`,
      [orderId],
    );
    return {
      orderId,
      requiredSkills: order.required_skills,
      pendingOffers: pending.map((p) => ({ offerId: p.id, teamId: p.team_id, teamName: p.team_name, expiresAt: new Date(p.expires_at).toISOString() })),
      items: page.map((r) => ({
        teamId: r.id,
        name: r.name,
        regionId: r.region_id,
        regionName: r.region_name,
        distanceM: Math.round(Number(r.distance_m)),
        serviceRadiusM: r.service_radius_m,
        withinServiceRadius: Number(r.distance_m) <= r.service_radius_m,
        activeOrders: r.active_orders,
        capacity: r.capacity,
        atCapacity: r.active_orders >= r.capacity,
        skills: r.skills,
        missingSkills: r.missing_skills,
        previouslyOffered: r.previously_offered,
        holdsPendingOffer: r.holds_pending,
      })),
      nextCursor: rows.length > filter.limit ? Buffer.from(JSON.stringify([Number(last.distance_m), last.id])).toString('base64url') : null,
    };
  }
}
