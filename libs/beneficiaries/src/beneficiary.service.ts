import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLog, RequestMeta } from '@xinyuan/audit';
import { decodeCursor, DomainException, ErrorCode, Page, PiiCipher, toPage } from '@xinyuan/common';
import { fromGeoJsonPoint, LatLng, toEwkt } from '@xinyuan/geo';
import type { AuthUser } from '@xinyuan/identity';
import { AppConfig } from '@xinyuan/config';
import { JurisdictionService, outOfServiceArea, scopeSql } from '@xinyuan/org';
import {
  AgeBand, beneficiaryAccess, BeneficiaryAccess, BeneficiaryListItem, BeneficiaryRecord, BeneficiaryTag, BeneficiaryView, Guardian, ownsProfile,
  toBeneficiaryListItem, toBeneficiaryView,
} from './beneficiary-policy';

export interface BeneficiaryInput {
  name: string;
  ageBand: AgeBand;
  address: string;
  location: LatLng;
  tags?: BeneficiaryTag[];
  idNumber?: string | null;
  phone?: string | null;
  guardian?: Guardian | null;
}

export type BeneficiaryPatch = Partial<BeneficiaryInput>;

/** What placing an order for a beneficiary takes from the profile. */
export interface BeneficiaryForOrder {
  id: string;
  address: string;
  location: LatLng;
  /** PiiCipher ciphertext, copied to the order as it is. */
  phoneEnc: string | null;
  /** The placer acts officially (grid worker of the grid, staff of the jurisdiction): 代点单. */
  official: boolean;
}

/** Roles that may record profiles: residents for themselves and family, grid workers and staff for people they serve. */
const MAY_RECORD = ['resident', 'grid_worker', 'dispatcher', 'admin'];

const COLUMNS = `b.id, b.created_by, b.region_id, r.name AS area_name, b.name, b.age_band, b.address,
  ST_AsGeoJSON(b.location)::json AS location, b.tags, b.id_number_enc, b.phone_enc, b.guardian_enc, b.version,
  b.created_at, b.updated_at, b.created_at::text AS cursor_at`;
const FROM = `beneficiaries b LEFT JOIN regions r ON r.id = b.region_id`;
/** The region of a point, walking down the region tree from the roots (as orders do: `region_of_point`). */
const REGION_OF = (param: string) => `region_of_point(${param}::geography)`;

const notFound = () => DomainException.notFound(ErrorCode.BeneficiaryNotFound);
const tagsForbidden = () =>
  new DomainException(ErrorCode.Forbidden, 403, '只有本辖区的网格员或工作人员可以标注服务对象类别', [
    { field: 'tags', messages: ['tags are set by the grid worker or staff of the jurisdiction'] },
  ]);

/**
 * 一人一档: CRUD of beneficiary profiles. Identity number, phone and guardian contact are encrypted
 * with PiiCipher before they reach the database; every read of a profile is audited before the
 * data is returned (no audit row, no data).
 */
@Injectable()
export class BeneficiaryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: PiiCipher,
    private readonly jurisdiction: JurisdictionService,
    private readonly audit: AuditLog,
    private readonly config: AppConfig,
  ) {}

  async create(user: AuthUser, input: BeneficiaryInput): Promise<BeneficiaryView> {
    if (!user.roles.some((r) => MAY_RECORD.includes(r))) throw DomainException.forbidden();
    return this.dataSource.transaction(async (m) => {
      const [{ region_id }] = await m.query(`SELECT ${REGION_OF('$1')} AS region_id`, [toEwkt(input.location)]);
      if (!region_id && !this.config.ALLOW_ORDERS_OUTSIDE_REGIONS) throw outOfServiceArea();
      const official = await this.isOfficial(m, user, region_id);
      // grid workers and staff record people of their own jurisdiction; a resident records for themself or family
      if (!official && !user.roles.includes('resident')) throw new DomainException(ErrorCode.OutsideJurisdiction, 403);
      if (input.tags?.length && !official) throw tagsForbidden();
      const [row] = await m.query(
        `WITH b AS (
           INSERT INTO beneficiaries (created_by, region_id, name, age_band, address, location, tags, id_number_enc, phone_enc, guardian_enc)
           VALUES ($1, $2, $3, $4, $5, $6::geography, $7::text[], $8, $9, $10) RETURNING *)
         SELECT ${COLUMNS} FROM b LEFT JOIN regions r ON r.id = b.region_id`,
        [
          user.id, region_id, input.name, input.ageBand, input.address, toEwkt(input.location), [...new Set(input.tags ?? [])],
          this.cipher.encryptNullable(input.idNumber), this.cipher.encryptNullable(input.phone), this.sealGuardian(input.guardian),
        ],
      );
      return toBeneficiaryView(this.open(row), official ? 'official' : 'owner');
    });
  }

  /** One profile with its personal data; the read is audited first. */
  async get(user: AuthUser, id: string, meta: RequestMeta): Promise<BeneficiaryView> {
    return this.dataSource.transaction(async (m) => {
      const { row, access } = await this.load(m, user, id);
      await this.audit.record(
        { actor: user, action: 'beneficiary.read', objectType: 'beneficiary', objectId: id, regionId: row.region_id, outcome: 'success', statusCode: 200, meta,
          data: { access } },
        m,
      );
      return toBeneficiaryView(this.open(row), access);
    });
  }

  /** Profiles the caller may see, masked; the list read is audited with the ids it returned. */
  async list(user: AuthUser, filter: { tag?: BeneficiaryTag; q?: string; limit: number; cursor?: string }, meta: RequestMeta): Promise<Page<BeneficiaryListItem>> {
    const params: unknown[] = [user.id];
    const staff = scopeSql(await this.jurisdiction.staffScope(user), 'b.region_id', params);
    const grid = scopeSql(await this.jurisdiction.gridScope(user), 'b.region_id', params);
    const official = `(${staff} OR ${grid})`;
    // officials reach profiles through their jurisdiction only ($1 stays typed by the comparison)
    const own = ownsProfile(user, user.id) ? `b.created_by = $1` : `(false AND b.created_by = $1)`;
    const where = [`b.archived_at IS NULL`, `(${own} OR ${official})`];
    if (filter.tag) {
      params.push(filter.tag);
      // a tag is an official classification: filtering by it is official too
      where.push(`${official} AND b.tags @> ARRAY[$${params.length}::text]`);
    }
    if (filter.q) {
      // a name search within what the caller may see anyway; % and _ are taken literally
      params.push(`%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`b.name ILIKE $${params.length}`);
    }
    const cursor = decodeCursor(filter.cursor);
    if (cursor) {
      params.push(cursor.at, cursor.id);
      where.push(`(b.created_at, b.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(filter.limit + 1);
    return this.dataSource.transaction(async (m) => {
      const rows: Record<string, any>[] = await m.query(
        `SELECT ${COLUMNS}, ${official} AS official FROM ${FROM} WHERE ${where.join(' AND ')}
          ORDER BY b.created_at DESC, b.id DESC LIMIT $${params.length}`,
        params,
      );
      const page = toPage(rows, filter.limit, (r) => ({ at: r.cursor_at, id: r.id }));
      if (page.items.length) {
        await this.audit.record(
          { actor: user, action: 'beneficiary.list', objectType: 'beneficiary', objectId: null, outcome: 'success', statusCode: 200, meta,
            data: { ids: page.items.map((r) => r.id) } },
          m,
        );
      }
      return {
        items: page.items.map((r) => toBeneficiaryListItem(this.open(r), r.official ? 'official' : 'owner')),
        nextCursor: page.nextCursor,
      };
    });
  }

  /** `undefined` leaves a field as it is; `null` clears an optional one. */
  async update(user: AuthUser, id: string, patch: BeneficiaryPatch): Promise<BeneficiaryView> {
    return this.dataSource.transaction(async (m) => {
      const { row, access } = await this.load(m, user, id, true);
      if (patch.tags !== undefined && access !== 'official') throw tagsForbidden();
      let regionId: string | null = row.region_id;
      if (patch.location) {
        [{ region_id: regionId }] = await m.query(`SELECT ${REGION_OF('$1')} AS region_id`, [toEwkt(patch.location)]);
        if (!regionId && !this.config.ALLOW_ORDERS_OUTSIDE_REGIONS) throw outOfServiceArea();
        // an official who is not the owner cannot move a profile out of their own jurisdiction
        if (!ownsProfile(user, row.created_by) && !(await this.isOfficial(m, user, regionId))) throw new DomainException(ErrorCode.OutsideJurisdiction, 403);
      }
      const sets: string[] = ['version = version + 1', 'updated_at = now()'];
      const params: unknown[] = [id];
      const set = (column: string, value: unknown, cast = '') => {
        params.push(value);
        sets.push(`${column} = $${params.length}${cast}`);
      };
      if (patch.name !== undefined) set('name', patch.name);
      if (patch.ageBand !== undefined) set('age_band', patch.ageBand);
      if (patch.address !== undefined) set('address', patch.address);
      if (patch.location) {
        set('location', toEwkt(patch.location), '::geography');
        set('region_id', regionId);
      }
      if (patch.tags !== undefined) set('tags', [...new Set(patch.tags ?? [])], '::text[]');
      if (patch.idNumber !== undefined) set('id_number_enc', this.cipher.encryptNullable(patch.idNumber));
      if (patch.phone !== undefined) set('phone_enc', this.cipher.encryptNullable(patch.phone));
      if (patch.guardian !== undefined) set('guardian_enc', this.sealGuardian(patch.guardian));
      const [updated] = await m.query(
        `WITH b AS (UPDATE beneficiaries SET ${sets.join(', ')} WHERE id = $1 RETURNING *)
         SELECT ${COLUMNS} FROM b LEFT JOIN regions r ON r.id = b.region_id`,
        params,
      );
      const after = beneficiaryAccess(ownsProfile(user, updated.created_by), await this.isOfficial(m, user, updated.region_id));
      return toBeneficiaryView(this.open(updated), after === 'official' ? 'official' : 'owner');
    });
  }

  /** Profiles are archived, never deleted: orders placed for them keep pointing at them. */
  async archive(user: AuthUser, id: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.load(m, user, id, true);
      await m.query(`UPDATE beneficiaries SET archived_at = now(), updated_at = now(), version = version + 1 WHERE id = $1`, [id]);
    });
  }

  /** For POST /orders with `beneficiaryId`: the placer must be the owner or an official of the profile. */
  async forOrder(user: AuthUser, id: string, m: EntityManager = this.dataSource.manager): Promise<BeneficiaryForOrder> {
    const { row, access } = await this.load(m, user, id);
    return {
      id: row.id,
      address: row.address,
      location: fromGeoJsonPoint(row.location)!,
      phoneEnc: row.phone_enc ?? (row.guardian_enc ? this.cipher.encrypt(this.openGuardian(row.guardian_enc)!.phone) : null),
      official: access === 'official',
    };
  }

  private async load(m: EntityManager, user: AuthUser, id: string, forUpdate = false): Promise<{ row: Record<string, any>; access: Exclude<BeneficiaryAccess, 'none'> }> {
    const [row] = await m.query(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE b.id = $1 AND b.archived_at IS NULL ${forUpdate ? 'FOR UPDATE OF b' : ''}`,
      [id],
    );
    if (!row) throw notFound();
    const access = beneficiaryAccess(ownsProfile(user, row.created_by), await this.isOfficial(m, user, row.region_id));
    if (access === 'none') throw notFound();
    return { row, access };
  }

  private async isOfficial(m: EntityManager, user: AuthUser, regionId: string | null): Promise<boolean> {
    return (await this.jurisdiction.staffCovers(user, regionId, m)) || (await this.jurisdiction.gridCovers(user, regionId, m));
  }

  private sealGuardian(g: Guardian | null | undefined): string | null {
    return g ? this.cipher.encrypt(JSON.stringify({ name: g.name, phone: g.phone, relation: g.relation ?? null })) : null;
  }

  private openGuardian(stored: string | null): Guardian | null {
    return stored ? (JSON.parse(this.cipher.decrypt(stored)) as Guardian) : null;
  }

  private open(r: Record<string, any>): BeneficiaryRecord {
    return {
      id: r.id,
      createdBy: r.created_by,
      regionId: r.region_id,
      area: r.area_name ?? null,
      name: r.name,
      ageBand: r.age_band,
      address: r.address,
      location: fromGeoJsonPoint(r.location)!,
      tags: r.tags,
      idNumber: this.cipher.decryptNullable(r.id_number_enc),
      phone: this.cipher.decryptNullable(r.phone_enc),
      guardian: this.openGuardian(r.guardian_enc),
      version: r.version,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }
}
