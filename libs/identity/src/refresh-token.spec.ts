import { decideRefresh, hashRefreshToken, newRefreshToken } from './refresh-token';

describe('refresh tokens', () => {
  it('are 256-bit random, URL-safe, stored only as their SHA-256', () => {
    const a = newRefreshToken();
    const b = newRefreshToken();
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.hash).toBe(hashRefreshToken(a.token));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash).not.toContain(a.token);
  });

  describe('decideRefresh', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const later = new Date('2026-01-31T00:00:00Z');
    const earlier = new Date('2025-12-31T00:00:00Z');

    it('rotates a live token', () => {
      expect(decideRefresh({ rotatedAt: null, expiresAt: later, sessionRevokedAt: null }, now)).toEqual({ kind: 'rotate' });
    });

    it('refuses an unknown or expired token', () => {
      expect(decideRefresh(undefined, now)).toEqual({ kind: 'invalid' });
      expect(decideRefresh({ rotatedAt: null, expiresAt: earlier, sessionRevokedAt: null }, now)).toEqual({ kind: 'invalid' });
      expect(decideRefresh({ rotatedAt: null, expiresAt: now, sessionRevokedAt: null }, now)).toEqual({ kind: 'invalid' });
    });

    it('treats a rotated token as reuse and revokes the family the first time', () => {
      expect(decideRefresh({ rotatedAt: earlier, expiresAt: later, sessionRevokedAt: null }, now)).toEqual({ kind: 'reused', revokeFamily: true });
      expect(decideRefresh({ rotatedAt: earlier, expiresAt: later, sessionRevokedAt: now }, now)).toEqual({ kind: 'reused', revokeFamily: false });
      // even once expired, a replayed rotated token is reported as reuse
      expect(decideRefresh({ rotatedAt: earlier, expiresAt: earlier, sessionRevokedAt: null }, now)).toEqual({ kind: 'reused', revokeFamily: true });
    });

    it('refuses the live token of a revoked session', () => {
      expect(decideRefresh({ rotatedAt: null, expiresAt: later, sessionRevokedAt: earlier }, now)).toEqual({ kind: 'revoked' });
    });
  });
});
