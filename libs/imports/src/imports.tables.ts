import { col, Row, table } from '@xinyuan/common';
import { nullable } from '@xinyuan/common';

/** Which profile an imported row is: a keyed hash of its natural key, and a hash of its content. */
export const BENEFICIARY_IMPORT_KEYS = table('beneficiary_import_keys', {
  key_bidx: col.text(),
  beneficiary_id: col.uuid(),
  row_hash: col.text(),
  created_at: col.timestamptz(),
  updated_at: col.timestamptz(),
});
export type BeneficiaryImportKeyRow = Row<typeof BENEFICIARY_IMPORT_KEYS>;

/** One import (dry or real): counts, progress and each row's problems (no cell values). */
export const IMPORT_RUNS = table('import_runs', {
  id: col.uuid(),
  kind: col.text<'beneficiaries' | 'teams' | 'team-members' | 'services'>(),
  actor_id: col.uuid(),
  region_id: nullable(col.uuid()),
  file_name: nullable(col.text()),
  file_sha256: col.text(),
  dry_run: col.bool(),
  mode: col.text<'file' | 'row'>(),
  status: col.text<'running' | 'dry_run' | 'imported' | 'partial' | 'rejected' | 'failed'>(),
  total: col.int(),
  processed: col.int(),
  created: col.int(),
  updated: col.int(),
  unchanged: col.int(),
  bad_rows: col.int(),
  errors: col.jsonb<{ row: number; column: string; message: string }[]>(),
  created_at: col.timestamptz(),
  finished_at: nullable(col.timestamptz()),
  heartbeat_at: col.timestamptz(),
});
export type ImportRunRow = Row<typeof IMPORT_RUNS>;
