import { createHash, randomBytes } from 'node:crypto';

/** An opaque refresh token: 256 random bits, base64url. Only its SHA-256 is stored. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

/** A token with 256 bits of entropy needs no slow hash: SHA-256 cannot be brute-forced back to it. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export type RefreshDecision =
  | { kind: 'rotate' }
  | { kind: 'invalid' }
  | { kind: 'reused'; revokeFamily: boolean }
  | { kind: 'revoked' };

/**
 * What a presented refresh token leads to (pure). Order matters: a token that was already rotated
 * is reuse even when the family is revoked by now, so a replayed stolen token always answers
 * REFRESH_TOKEN_REUSED; the family is revoked the first time it happens.
 */
export function decideRefresh(
  row: { rotatedAt: Date | null; expiresAt: Date; sessionRevokedAt: Date | null } | undefined,
  now: Date,
): RefreshDecision {
  if (!row) return { kind: 'invalid' };
  if (row.rotatedAt) return { kind: 'reused', revokeFamily: !row.sessionRevokedAt };
  if (row.sessionRevokedAt) return { kind: 'revoked' };
  if (row.expiresAt.getTime() <= now.getTime()) return { kind: 'invalid' };
  return { kind: 'rotate' };
}
