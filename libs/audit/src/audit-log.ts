import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainException, Page } from '@xinyuan/common';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService, scopeSql } from '@xinyuan/org';
import type { AuditOutcome } from './audit-policy';
import type { AuditLogRow } from './audit.tables';

/** Where a request came from, as the audit log records it. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export interface AuditEntry {
  actor: { id: string | null; roles: readonly string[]; regionId: string | null } | null;
  action: string;
  objectType: string | null;
  objectId: string | null;
  /** The jurisdiction of the row; when absent, the object's region (looked up), else the actor's. */
  regionId?: string | null;
  outcome: AuditOutcome;
  statusCode?: number | null;
  meta: RequestMeta;
  data?: Record<string, unknown> | null;
}

export interface AuditView {
  id: string;
  at: string;
  actorId: string | null;
  actorRoles: string[];
  action: string;
  objectType: string | null;
  objectId: string | null;
  regionId: string | null;
  outcome: AuditOutcome;
  statusCode: number | null;
  ip: string | null;
  userAgent: string | null;
  data: Record<string, unknown> | null;
}

export interface AuditFilter {
  actorId?: string;
  objectId?: string;
  action?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

const INSERT_SQL = `
  INSERT INTO audit_log (actor_id, actor_roles, action, object_type, object_id, region_id, outcome, status_code, ip, user_agent, data)
  VALUES ($1, $2::text[], $3, $4, $5::uuid,
          COALESCE($6::uuid,
                   CASE $4::text
                     WHEN 'order' THEN (SELECT region_id FROM orders WHERE id = $5::uuid)
                     WHEN 'team' THEN (SELECT region_id FROM teams WHERE id = $5::uuid)
                     WHEN 'beneficiary' THEN (SELECT region_id FROM beneficiaries WHERE id = $5::uuid)
                     WHEN 'region' THEN (SELECT id FROM regions WHERE id = $5::uuid)
                     WHEN 'user' THEN (SELECT region_id FROM users WHERE id = $5::uuid)
                     WHEN 'offer' THEN (SELECT o.region_id FROM offers f JOIN orders o ON o.id = f.order_id WHERE f.id = $5::uuid)
                   END,
                   $7::uuid),
          $8, $9, $10, $11, $12)`;

const encodeCursor = (id: string) => Buffer.from(`a:${id}`).toString('base64url');
function decodeAuditCursor(raw: string | undefined): string | null {
  if (!raw) return null;
  const text = Buffer.from(raw, 'base64url').toString('utf8');
  const m = /^a:(\d{1,19})$/.exec(text);
  if (!m) throw DomainException.validation([{ field: 'cursor', messages: ['cursor is invalid'] }], '分页游标无效');
  return m[1];
}

/**
 * The append-only audit log (table `audit_log`; a trigger refuses UPDATE, DELETE and TRUNCATE).
 * Staff writes are recorded by the HTTP hook (`audit-http.ts`) with their outcome; reads of a
 * beneficiary's personal data are recorded by the use case before the data is returned.
 */
@Injectable()
export class AuditLog {
  private readonly logger = new Logger('AuditLog');

  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdiction: JurisdictionService,
  ) {}

  /** Writes one row on the caller's transaction (or its own); throws when it cannot. */
  async record(entry: AuditEntry, m: EntityManager = this.dataSource.manager): Promise<void> {
    await m.query(INSERT_SQL, [
      entry.actor?.id ?? null,
      [...(entry.actor?.roles ?? [])],
      entry.action,
      entry.objectType,
      entry.objectId,
      entry.regionId ?? null,
      entry.actor?.regionId ?? null,
      entry.outcome,
      entry.statusCode ?? null,
      entry.meta.ip,
      entry.meta.userAgent,
      entry.data ?? null,
    ]);
  }

  /**
   * For the record written right after an action committed: retried, and should the database stay
   * unreachable, written to the application log in full so that log shipping keeps it.
   */
  async recordReliably(entry: AuditEntry): Promise<void> {
    for (const delayMs of [0, 50, 250, 1000]) {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      try {
        await this.record(entry);
        return;
      } catch (e) {
        this.logger.warn(`audit write failed (${e instanceof Error ? e.message : String(e)}), retrying`);
      }
    }
    this.logger.error(`AUDIT-UNWRITTEN ${JSON.stringify({ ...entry, at: new Date().toISOString() })}`);
  }

  /** Rows of the caller's jurisdiction, newest first. Admins only (checked by the controller). */
  async query(user: AuthUser, filter: AuditFilter): Promise<Page<AuditView>> {
    const params: unknown[] = [];
    const where = [scopeSql(await this.jurisdiction.staffScope(user), 'a.region_id', params)];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.actorId) add('a.actor_id = ?::uuid', filter.actorId);
    if (filter.objectId) add('a.object_id = ?::uuid', filter.objectId);
    if (filter.action) add('a.action = ?', filter.action);
    if (filter.from) add('a.at >= ?::timestamptz', filter.from);
    if (filter.to) add('a.at < ?::timestamptz', filter.to);
    const after = decodeAuditCursor(filter.cursor);
    if (after) add('a.id < ?::bigint', after);
    params.push(filter.limit + 1);
    const rows: AuditLogRow[] = await this.dataSource.query(
      `SELECT a.* FROM audit_log a WHERE ${where.join(' AND ')} ORDER BY a.id DESC LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, filter.limit).map(
      (r): AuditView => ({
        id: String(r.id),
        at: new Date(r.at).toISOString(),
        actorId: r.actor_id,
        actorRoles: r.actor_roles,
        action: r.action,
        objectType: r.object_type,
        objectId: r.object_id,
        regionId: r.region_id,
        outcome: r.outcome,
        statusCode: r.status_code,
        ip: r.ip,
        userAgent: r.user_agent,
        data: r.data,
      }),
    );
    return { items, nextCursor: rows.length > filter.limit ? encodeCursor(items[items.length - 1].id) : null };
  }
}
