import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainException, ErrorCode, Page } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';

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

const toView = (r: Record<string, any>): ServiceView => ({
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
