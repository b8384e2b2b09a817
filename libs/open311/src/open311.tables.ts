import { col, nullable, Row, table } from '@xinyuan/common';

/** Another system filing requests (12345 hotline, a city app): its key (SHA-256 only), region and acting account. */
export const OPEN311_INTEGRATIONS = table('open311_integrations', {
  id: col.uuid(),
  name: col.text(),
  region_id: col.uuid(),
  user_id: col.uuid(),
  key_hash: col.text(),
  key_prefix: col.text(),
  created_by: col.uuid(),
  created_at: col.timestamptz(),
  revoked_at: nullable(col.timestamptz()),
});
export type Open311IntegrationRow = Row<typeof OPEN311_INTEGRATIONS>;

/** A service request filed through a key: the order it became, and the person named (PiiCipher ciphertext). */
export const OPEN311_REQUESTS = table('open311_requests', {
  order_id: col.uuid(),
  integration_id: col.uuid(),
  token: col.uuid(),
  requester_enc: nullable(col.text()),
  device_id: nullable(col.text()),
  account_id: nullable(col.text()),
  created_at: col.timestamptz(),
});
export type Open311RequestRow = Row<typeof OPEN311_REQUESTS>;
