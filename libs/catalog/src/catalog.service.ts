import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainException, ErrorCode, Page } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService } from '@xinyuan/org';
import type { ServiceRow } from './catalog.tables';
import { menuEditorOf, menuEditRight, MenuEditor } from './menu-jurisdiction';

export interface ServiceView {
  id: string;
  code: string;
  name: string;
  group: string;
  description: string | null;
  requiredSkills: string[];
  acceptTimeoutSeconds: number;
  requiresReview: boolean;
  /** Seconds a non-urgent order whose preferred start is not imminent may wait for batch matching. */
  batchWindowSeconds: number;
  offerMode: 'offer' | 'grab';
  active: boolean;
  /** null: a deployment-wide item; else the county whose own item it is (orders only inside it). */
  regionId: string | null;
  regionName: string | null;
}

/** The staff list: whether the caller may edit the item. */
export interface StaffServiceView extends ServiceView {
  editable: boolean;
}

export interface ServiceChange {
  name?: string;
  group?: string;
  description?: string | null;
  requiredSkills?: string[];
  acceptTimeoutSeconds?: number;
  requiresReview?: boolean;
  batchWindowSeconds?: number;
  offerMode?: 'offer' | 'grab';
  active?: boolean;
}

export interface NewService {
  code: string;
  name: string;
  group: string;
  description?: string;
  requiredSkills: string[];
  acceptTimeoutSeconds?: number;
  requiresReview?: boolean;
  batchWindowSeconds?: number;
  offerMode?: 'offer' | 'grab';
  /** The county the item belongs to; omitted: the caller's county, or deployment-wide for the everything-scope admin. */
  regionId?: string;
}

/** Where a caller of the public menu is, for the county items it shows (see `menuCounties`). */
export interface MenuPlace {
  regionId?: string;
  location?: { lat: number; lng: number };
  user?: AuthUser | null;
}

type ServiceRowWithRegion = ServiceRow & { region_name: string | null };

const toView = (r: ServiceRowWithRegion): ServiceView => ({
  id: r.id,
  code: r.code,
  name: r.name,
  group: r.group_name,
  description: r.description,
  requiredSkills: r.required_skills,
  acceptTimeoutSeconds: r.accept_timeout_seconds,
  requiresReview: r.requires_review,
  batchWindowSeconds: r.batch_window_seconds,
  offerMode: r.offer_mode,
  active: r.active,
  regionId: r.region_id,
  regionName: r.region_name,
});

const WITH_REGION = `SELECT s.*, r.name AS region_name FROM services s LEFT JOIN regions r ON r.id = s.region_id`;

/**
 * The service menu (菜单). Items are deployment-wide (edited only by the everything-scope admin) or a
 * county's own (edited by that county's county-wide admins, ordered only inside that county).
 */
@Injectable()
export class CatalogService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly jurisdiction: JurisdictionService,
  ) {}

  async create(user: AuthUser, input: NewService): Promise<ServiceView> {
    const editor = await this.editor(user);
    if (editor.kind === 'none') throw menuForbidden();
    let regionId: string | null;
    if (editor.kind === 'all') {
      regionId = input.regionId ?? null;
      if (regionId && !(await this.isCounty(regionId))) {
        throw new DomainException(ErrorCode.RegionNotFound, 422, undefined, [{ field: 'regionId', messages: ['regionId must be a county (a root region)'] }]);
      }
    } else {
      if (input.regionId && input.regionId !== editor.countyId) throw new DomainException(ErrorCode.OutsideJurisdiction, 403, '只能为本县添加服务项目');
      regionId = editor.countyId;
    }
    this.checkTimeout(input.acceptTimeoutSeconds);
    const rows: ServiceRow[] = await this.dataSource.query(
      `INSERT INTO services (code, name, group_name, description, required_skills, accept_timeout_seconds, requires_review, offer_mode, region_id, batch_window_seconds)
       VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8, $9, $10) ON CONFLICT (code) DO NOTHING RETURNING id`,
      [input.code, input.name, input.group, input.description ?? null, [...new Set(input.requiredSkills)],
        input.acceptTimeoutSeconds ?? 900, input.requiresReview ?? false, input.offerMode ?? 'offer', regionId, input.batchWindowSeconds ?? 0],
    );
    if (rows.length === 0) {
      throw new DomainException(ErrorCode.ServiceCodeTaken, 409, undefined, [{ field: 'code', messages: ['code already exists'] }]);
    }
    return this.byCode(input.code);
  }

  /**
   * Edits a menu item; the code and the item's county never change (orders and clients refer to
   * them). A new timeout or skill list applies to offers made from now on; an offer already out keeps
   * its deadline. Another county's item is not found; a deployment-wide one is read-only below the
   * everything-scope admin (403).
   */
  async update(user: AuthUser, code: string, change: ServiceChange): Promise<ServiceView> {
    const editor = await this.editor(user);
    const [item]: Pick<ServiceRow, 'region_id'>[] = await this.dataSource.query(`SELECT region_id FROM services WHERE code = $1`, [code]);
    const right = item ? menuEditRight(editor, await this.staffCounty(user), { regionId: item.region_id }) : 'hidden';
    if (right === 'hidden') throw DomainException.notFound(ErrorCode.ServiceNotFound);
    if (right === 'read') throw menuForbidden(item.region_id === null ? '各地通用的服务项目只能由系统管理员修改' : undefined);
    this.checkTimeout(change.acceptTimeoutSeconds);
    // description: undefined keeps it, null or '' clears it
    const description = change.description === undefined ? undefined : change.description || null;
    await this.dataSource.query(
      `UPDATE services SET name = COALESCE($2, name), group_name = COALESCE($3, group_name),
              description = CASE WHEN $4 THEN $5 ELSE description END,
              required_skills = COALESCE($6::text[], required_skills),
              accept_timeout_seconds = COALESCE($7, accept_timeout_seconds),
              requires_review = COALESCE($8, requires_review), offer_mode = COALESCE($9, offer_mode), active = COALESCE($10, active),
              batch_window_seconds = COALESCE($11, batch_window_seconds)
        WHERE code = $1`,
      [code, change.name ?? null, change.group ?? null, description !== undefined, description ?? null,
        change.requiredSkills ? [...new Set(change.requiredSkills)] : null, change.acceptTimeoutSeconds ?? null,
        change.requiresReview ?? null, change.offerMode ?? null, change.active ?? null, change.batchWindowSeconds ?? null],
    );
    return this.byCode(code);
  }

  /**
   * The menu as staff see it, inactive items too, ordered by group: the deployment-wide items and
   * those of the county of their jurisdiction (the everything-scope admin: every county's).
   */
  async listForStaff(user: AuthUser): Promise<{ items: StaffServiceView[] }> {
    const editor = await this.editor(user);
    const county = await this.staffCounty(user);
    const rows: ServiceRowWithRegion[] = await this.dataSource.query(
      `${WITH_REGION} WHERE $1 OR s.region_id IS NULL OR s.region_id = $2 ORDER BY s.group_name, s.code`,
      [editor.kind === 'all', county],
    );
    return { items: rows.map((r) => ({ ...toView(r), editable: menuEditRight(editor, county, { regionId: r.region_id }) === 'edit' })) };
  }

  /**
   * The public menu: active items ordered by code, deployment-wide ones and those of `counties`; the
   * cursor is the last code of the previous page.
   */
  async listActive(counties: string[], limit: number, cursor?: string): Promise<Page<ServiceView>> {
    let after: string | null = null;
    if (cursor) {
      after = Buffer.from(cursor, 'base64url').toString('utf8');
      if (!/^[A-Z][A-Z0-9_]{0,39}$/.test(after)) throw DomainException.validation([{ field: 'cursor', messages: ['cursor is invalid'] }]);
    }
    const rows: ServiceRowWithRegion[] = await this.dataSource.query(
      `${WITH_REGION} WHERE s.active AND (s.region_id IS NULL OR s.region_id = ANY($3::uuid[])) AND ($1::text IS NULL OR s.code > $1)
        ORDER BY s.code LIMIT $2`,
      [after, limit + 1, counties],
    );
    const items = rows.slice(0, limit).map(toView);
    return { items, nextCursor: rows.length > limit ? Buffer.from(items[items.length - 1].code).toString('base64url') : null };
  }

  /**
   * Which counties' own items a caller of the public menu sees, first rule that gives an answer:
   * 1. `regionId` given: the county of that region (422 when there is no such region);
   * 2. `location` given: the county whose boundary covers it (none outside every county);
   * 3. signed in: the counties of the caller's latest order, of the profiles (一人一档) they recorded,
   *    and of their own region (staff, grid workers);
   * 4. otherwise, when the deployment has exactly one county: that county.
   * Ordering checks the item against the order's own location, whatever the menu showed.
   */
  async menuCounties(place: MenuPlace): Promise<string[]> {
    if (place.regionId) {
      const path = await this.jurisdiction.pathOf(place.regionId);
      if (!path) throw new DomainException(ErrorCode.RegionNotFound, 422, undefined, [{ field: 'regionId', messages: ['region not found'] }]);
      return [path[0]];
    }
    if (place.location) {
      const rows: { id: string }[] = await this.dataSource.query(
        `SELECT r.path[1] AS id FROM regions r WHERE r.id = region_of_point(ST_SetSRID(ST_MakePoint($2, $1), 4326)::geography)`,
        [place.location.lat, place.location.lng],
      );
      return rows.map((r) => r.id);
    }
    if (place.user) {
      const rows: { county: string }[] = await this.dataSource.query(
        `SELECT DISTINCT r.path[1] AS county FROM regions r
          WHERE r.id IN (
            (SELECT o.region_id FROM orders o WHERE o.resident_id = $1 AND o.region_id IS NOT NULL ORDER BY o.created_at DESC LIMIT 1)
            UNION SELECT b.region_id FROM beneficiaries b WHERE b.created_by = $1 AND b.archived_at IS NULL AND b.region_id IS NOT NULL
            UNION SELECT u.region_id FROM users u WHERE u.id = $1 AND u.region_id IS NOT NULL)`,
        [place.user.id],
      );
      if (rows.length) return rows.map((r) => r.county);
    }
    const counties: { id: string }[] = await this.dataSource.query(`SELECT id FROM regions WHERE parent_id IS NULL LIMIT 2`);
    return counties.length === 1 ? [counties[0].id] : [];
  }

  private async byCode(code: string): Promise<ServiceView> {
    const [row]: ServiceRowWithRegion[] = await this.dataSource.query(`${WITH_REGION} WHERE s.code = $1`, [code]);
    if (!row) throw DomainException.notFound(ErrorCode.ServiceNotFound);
    return toView(row);
  }

  /** Who may change the menu: the everything-scope admin, a county-wide admin (their county), nobody else. */
  private async editor(user: AuthUser): Promise<MenuEditor> {
    return menuEditorOf(user.roles, await this.jurisdiction.staffScope(user));
  }

  /** The county (root region) of a staff member's jurisdiction; null for the everything-scope admin and non-staff. */
  private async staffCounty(user: AuthUser): Promise<string | null> {
    const scope = await this.jurisdiction.staffScope(user);
    if (scope.kind !== 'subtree') return null;
    return (await this.jurisdiction.pathOf(scope.regionId))?.[0] ?? null;
  }

  private async isCounty(regionId: string): Promise<boolean> {
    const [row] = await this.dataSource.query(`SELECT 1 FROM regions WHERE id = $1 AND parent_id IS NULL`, [regionId]);
    return !!row;
  }

  private checkTimeout(seconds: number | undefined): void {
    const min = this.config.ACCEPT_TIMEOUT_MIN_SECONDS;
    if (seconds !== undefined && seconds < min) {
      throw DomainException.validation([{ field: 'acceptTimeoutSeconds', messages: [`acceptTimeoutSeconds must not be less than ${min}`] }]);
    }
  }
}

function menuForbidden(message = '只有县级管理员可以维护本县的服务菜单'): DomainException {
  return new DomainException(ErrorCode.OutsideJurisdiction, 403, message);
}
