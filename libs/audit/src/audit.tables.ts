import { col, nullable, Row, table } from '@xinyuan/common';

/** The audit log: append-only (a trigger refuses UPDATE, DELETE and TRUNCATE). */
export const AUDIT_LOG = table('audit_log', {
  id: col.bigint(),
  at: col.timestamptz(),
  actor_id: nullable(col.uuid()),
  actor_roles: col.textArray(),
  action: col.text(),
  object_type: nullable(col.text()),
  object_id: nullable(col.uuid()),
  region_id: nullable(col.uuid()),
  outcome: col.text<'success' | 'denied' | 'rejected' | 'error'>(),
  status_code: nullable(col.int()),
  ip: nullable(col.text()),
  user_agent: nullable(col.text()),
  data: nullable(col.jsonb<Record<string, unknown>>()),
});
export type AuditLogRow = Row<typeof AUDIT_LOG>;
