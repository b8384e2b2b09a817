import { col, nullable, Row, table } from '@xinyuan/common';
import type { Role } from './roles';

/**
 * A person who signs in. The phone number is never stored in clear: `phone_enc` is its AES-GCM
 * ciphertext (PiiCipher) and `phone_bidx` its keyed blind index (unique), through which every
 * lookup by phone goes. A WeChat-only user has neither; an SMS-only user has no password.
 * `region_id` is the jurisdiction of staff and grid workers.
 */
export const USERS = table('users', {
  id: col.uuid(),
  name: col.text(),
  password_hash: nullable(col.text()),
  roles: col.textArray<Role>(),
  region_id: nullable(col.uuid()),
  created_at: col.timestamptz(),
  phone_enc: nullable(col.text()),
  phone_bidx: nullable(col.text()),
  disabled_at: nullable(col.timestamptz()),
  /** When the account last proved it owns the phone (an SMS code); null: never. */
  phone_verified_at: nullable(col.timestamptz()),
});
export type UserRow = Row<typeof USERS>;

/** A login session (a refresh-token family); revoking it ends its access tokens too. */
export const AUTH_SESSIONS = table('auth_sessions', {
  id: col.uuid(),
  user_id: col.uuid(),
  method: col.text(),
  ip: nullable(col.text()),
  user_agent: nullable(col.text()),
  created_at: col.timestamptz(),
  last_refreshed_at: nullable(col.timestamptz()),
  revoked_at: nullable(col.timestamptz()),
  revoked_reason: nullable(col.text()),
});
export type AuthSessionRow = Row<typeof AUTH_SESSIONS>;

/** Refresh tokens, stored only as SHA-256; each refresh rotates one. */
export const REFRESH_TOKENS = table('refresh_tokens', {
  token_hash: col.text(),
  session_id: col.uuid(),
  issued_at: col.timestamptz(),
  expires_at: col.timestamptz(),
  rotated_at: nullable(col.timestamptz()),
});
export type RefreshTokenRow = Row<typeof REFRESH_TOKENS>;

/** WeChat mini-program identities (openid per appid, unionid across them) linked to a user. */
export const WECHAT_ACCOUNTS = table('wechat_accounts', {
  appid: col.text(),
  openid: col.text(),
  unionid: nullable(col.text()),
  user_id: col.uuid(),
  created_at: col.timestamptz(),
});
export type WeChatAccountRow = Row<typeof WECHAT_ACCOUNTS>;
