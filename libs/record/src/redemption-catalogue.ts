import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainException, ErrorCode } from '@xinyuan/common';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService, scopeSql } from '@xinyuan/org';
import { updateReturning } from './record-sql';
import { volunteerRegion } from './wallet';

export interface RedemptionItemView {
  id: string;
  regionId: string;
  /** The region's name (where the 爱心超市 is). */
  area: string | null;
  name: string;
  points: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  retiredAt: string | null;
}

const ITEM_SELECT = `SELECT i.*, r.name AS area FROM redemption_items i JOIN regions r ON r.id = i.region_id`;

const toItem = (r: any): RedemptionItemView => ({
  id: r.id,
  regionId: r.region_id,
  area: r.area ?? null,
  name: r.name,
  points: Number(r.points),
  active: !r.retired_at,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
  retiredAt: r.retired_at ? new Date(r.retired_at).toISOString() : null,
});

/**
 * SQL for the items a volunteer may redeem: active items of their region or any region above it
 * (a county's item is offered in all its stations). `$1` is the volunteer's region.
 */
const OFFERED_TO_REGION = `i.retired_at IS NULL AND i.region_id = ANY ((SELECT path FROM regions WHERE id = $1)::uuid[])`;

/**
 * 爱心超市 catalogue: staff of a region set what its 爱心超市 offers and at what points price; a
 * volunteer sees (and redeems) the active items of their own region and the regions above it.
 * Outside their jurisdiction staff see nothing (404).
 */
@Injectable()
export class RedemptionCatalogueService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdiction: JurisdictionService,
  ) {}

  /** What the volunteer may redeem (their first team's region decides, as for the rule pack). */
  async offered(user: AuthUser): Promise<RedemptionItemView[]> {
    const region = await volunteerRegion(this.dataSource.manager, user.id);
    if (!region) return [];
    const rows = await this.dataSource.query(`${ITEM_SELECT} WHERE ${OFFERED_TO_REGION} ORDER BY i.points, i.name LIMIT 500`, [region]);
    return rows.map(toItem);
  }

  /** One item the volunteer may redeem now, or 422 REDEMPTION_ITEM_UNAVAILABLE (unknown, retired, another jurisdiction's). */
  async offeredItem(m: EntityManager, userId: string, itemId: string, lock = false): Promise<{ id: string; name: string; points: number }> {
    const region = await volunteerRegion(m, userId);
    const [row] = region
      ? await m.query(`SELECT i.id, i.name, i.points FROM redemption_items i WHERE i.id = $2 AND ${OFFERED_TO_REGION} ${lock ? 'FOR SHARE' : ''}`, [region, itemId])
      : [];
    if (!row) {
      throw new DomainException(ErrorCode.RedemptionItemUnavailable, 422, undefined, [
        { field: 'itemId', messages: ['no such item in the 爱心超市 of your area (unknown, retired or another area’s)'] },
      ]);
    }
    return { id: row.id, name: row.name, points: Number(row.points) };
  }

  /** Staff: the items of their jurisdiction (optionally one region's; retired ones too when asked). */
  async list(staff: AuthUser, query: { regionId?: string; includeRetired?: boolean }): Promise<RedemptionItemView[]> {
    const params: unknown[] = [];
    const where = [scopeSql(await this.jurisdiction.staffScope(staff), 'i.region_id', params)];
    if (query.regionId) {
      params.push(query.regionId);
      where.push(`i.region_id = $${params.length}`);
    }
    if (!query.includeRetired) where.push('i.retired_at IS NULL');
    const rows = await this.dataSource.query(`${ITEM_SELECT} WHERE ${where.join(' AND ')} ORDER BY r.name, i.retired_at NULLS FIRST, i.points, i.name LIMIT 500`, params);
    return rows.map(toItem);
  }

  async create(staff: AuthUser, input: { regionId: string; name: string; points: number }): Promise<RedemptionItemView> {
    if (!(await this.jurisdiction.region(input.regionId))) throw DomainException.notFound(ErrorCode.RegionNotFound);
    await this.jurisdiction.requireStaffCovers(staff, input.regionId);
    const [row] = await this.dataSource.query(
      `INSERT INTO redemption_items (region_id, name, points, created_by) VALUES ($1, $2, $3, $4) RETURNING id`,
      [input.regionId, input.name.trim(), input.points, staff.id],
    );
    return this.get(staff, row.id);
  }

  async get(staff: AuthUser, id: string, m: EntityManager = this.dataSource.manager, lock = false): Promise<RedemptionItemView> {
    const [row] = await m.query(`${ITEM_SELECT} WHERE i.id = $1 ${lock ? 'FOR UPDATE OF i' : ''}`, [id]);
    if (!row || !(await this.jurisdiction.staffCovers(staff, row.region_id, m))) throw DomainException.notFound(ErrorCode.RedemptionItemNotFound);
    return toItem(row);
  }

  /** A new name or price applies to later redemptions only (a redemption keeps what it cost). */
  async update(staff: AuthUser, id: string, input: { name?: string; points?: number }): Promise<RedemptionItemView> {
    if (input.name === undefined && input.points === undefined) {
      throw DomainException.validation([{ field: 'name', messages: ['give a new name or points'] }, { field: 'points', messages: ['give a new name or points'] }]);
    }
    await this.dataSource.transaction(async (m) => {
      const item = await this.get(staff, id, m, true);
      if (!item.active) throw DomainException.conflict(ErrorCode.RedemptionItemRetired);
      await updateReturning(m,
        `UPDATE redemption_items SET name = COALESCE($2, name), points = COALESCE($3, points), updated_at = now() WHERE id = $1 RETURNING id`,
        [id, input.name?.trim() ?? null, input.points ?? null]);
    });
    return this.get(staff, id);
  }

  /** Retired items are no longer offered; redemptions already made stay valid and are still collected. Retiring twice answers the same. */
  async retire(staff: AuthUser, id: string): Promise<RedemptionItemView> {
    await this.dataSource.transaction(async (m) => {
      const item = await this.get(staff, id, m, true);
      if (!item.active) return;
      await updateReturning(m, `UPDATE redemption_items SET retired_at = now(), retired_by = $2, updated_at = now() WHERE id = $1 RETURNING id`, [id, staff.id]);
    });
    return this.get(staff, id);
  }
}
