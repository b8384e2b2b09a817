import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainException, ErrorCode, Page } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import type { ServiceRow } from './catalog.tables';

export interface ServiceView {
  id: string;
  code: string;
  name: string;
  group: string;
  description: string | null;
  requiredSkills: string[];
  acceptTimeoutSeconds: number;
  requiresReview: boolean;
  offerMode: 'offer' | 'grab';
  active: boolean;
}

export interface ServiceChange {
  name?: string;
  group?: string;
  description?: string | null;
  requiredSkills?: string[];
  acceptTimeoutSeconds?: number;
  requiresReview?: boolean;
  offerMode?: 'offer' | 'grab';
  active?: boolean;
}

const toView = (r: ServiceRow): ServiceView => ({
  id: r.id,
  code: r.code,
  name: r.name,
  group: r.group_name,
  description: r.description,
  requiredSkills: r.required_skills,
  acceptTimeoutSeconds: r.accept_timeout_seconds,
  requiresReview: r.requires_review,
  offerMode: r.offer_mode,
  active: r.active,
});

/** The service menu (菜单). */
@Injectable()
export class CatalogService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async create(input: {
    code: string; name: string; group: string; description?: string; requiredSkills: string[];
    acceptTimeoutSeconds?: number; requiresReview?: boolean; offerMode?: 'offer' | 'grab';
  }): Promise<ServiceView> {
    const min = this.config.ACCEPT_TIMEOUT_MIN_SECONDS;
    if (input.acceptTimeoutSeconds !== undefined && input.acceptTimeoutSeconds < min) {
      throw DomainException.validation([{ field: 'acceptTimeoutSeconds', messages: [`acceptTimeoutSeconds must not be less than ${min}`] }]);
    }
    const rows = await this.dataSource.query(
      `INSERT INTO services (code, name, group_name, description, required_skills, accept_timeout_seconds, requires_review, offer_mode)
       VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8) ON CONFLICT (code) DO NOTHING RETURNING *`,
      [input.code, input.name, input.group, input.description ?? null, [...new Set(input.requiredSkills)],
        input.acceptTimeoutSeconds ?? 900, input.requiresReview ?? false, input.offerMode ?? 'offer'],
    );
    if (rows.length === 0) {
      throw new DomainException(ErrorCode.ServiceCodeTaken, 409, undefined, [{ field: 'code', messages: ['code already exists'] }]);
    }
    return toView(rows[0]);
  }

  /**
   * Edits a menu item; the code never changes (orders and clients refer to it). A new timeout or
   * skill list applies to offers made from now on; an offer already out keeps its deadline.
   */
  async update(code: string, change: ServiceChange): Promise<ServiceView> {
    const min = this.config.ACCEPT_TIMEOUT_MIN_SECONDS;
    if (change.acceptTimeoutSeconds !== undefined && change.acceptTimeoutSeconds < min) {
      throw DomainException.validation([{ field: 'acceptTimeoutSeconds', messages: [`acceptTimeoutSeconds must not be less than ${min}`] }]);
    }
    // description: undefined keeps it, null or '' clears it
    const description = change.description === undefined ? undefined : change.description || null;
    const rows = await this.dataSource.query(
      `WITH changed AS (UPDATE services SET name = COALESCE($2, name), group_name = COALESCE($3, group_name),
              description = CASE WHEN $4 THEN $5 ELSE description END,
              required_skills = COALESCE($6::text[], required_skills),
              accept_timeout_seconds = COALESCE($7, accept_timeout_seconds),
              requires_review = COALESCE($8, requires_review), offer_mode = COALESCE($9, offer_mode), active = COALESCE($10, active)
        WHERE code = $1 RETURNING *)
       SELECT * FROM changed`,
      [code, change.name ?? null, change.group ?? null, description !== undefined, description ?? null,
        change.requiredSkills ? [...new Set(change.requiredSkills)] : null, change.acceptTimeoutSeconds ?? null,
        change.requiresReview ?? null, change.offerMode ?? null, change.active ?? null],
    );
    if (rows.length === 0) throw DomainException.notFound(ErrorCode.ServiceNotFound);
    return toView(rows[0]);
  }

  /** The whole menu for staff, inactive items too, ordered by group. */
  async listAll(): Promise<{ items: ServiceView[] }> {
    const rows: ServiceRow[] = await this.dataSource.query(`SELECT * FROM services ORDER BY group_name, code`);
    return { items: rows.map(toView) };
  }

  /** Active items ordered by code; the cursor is the last code of the previous page. */
  async listActive(limit: number, cursor?: string): Promise<Page<ServiceView>> {
    let after: string | null = null;
    if (cursor) {
      after = Buffer.from(cursor, 'base64url').toString('utf8');
      if (!/^[A-Z][A-Z0-9_]{0,39}$/.test(after)) throw DomainException.validation([{ field: 'cursor', messages: ['cursor is invalid'] }]);
    }
    const rows = await this.dataSource.query(
      `SELECT * FROM services WHERE active AND ($1::text IS NULL OR code > $1) ORDER BY code LIMIT $2`,
      [after, limit + 1],
    );
    const items = rows.slice(0, limit).map(toView);
    return { items, nextCursor: rows.length > limit ? Buffer.from(items[items.length - 1].code).toString('base64url') : null };
  }
}
