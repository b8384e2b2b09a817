import { RefreshableSession, RenewedTokens, tokenRefresher } from './token-refresh';

function fakeSession(expiresInMs: number, now: number): RefreshableSession & { renewed: RenewedTokens[]; loggedOut: number } {
  return {
    token: 'access-1', refreshToken: 'refresh-1', expiresAt: now + expiresInMs, renewed: [], loggedOut: 0,
    renew(t) {
      this.token = t.accessToken;
      this.refreshToken = t.refreshToken;
      this.expiresAt = now + t.expiresIn * 1000;
      this.renewed.push(t);
    },
    logout() {
      this.token = '';
      this.refreshToken = '';
      this.loggedOut++;
    },
  };
}

describe('tokenRefresher (the console and the uni-apps share it)', () => {
  const now = 1_800_000_000_000;

  it('does nothing while the token has more than a minute left', async () => {
    const session = fakeSession(5 * 60_000, now);
    const exchange = jest.fn();
    expect(await tokenRefresher(session, exchange, () => now)()).toBe(true);
    expect(exchange).not.toHaveBeenCalled();
  });

  it('exchanges once for many concurrent requests near expiry, and the session carries the new pair', async () => {
    const session = fakeSession(30_000, now);
    let release!: (t: RenewedTokens) => void;
    const exchange = jest.fn(() => new Promise<RenewedTokens>((r) => (release = r)));
    const fresh = tokenRefresher(session, exchange, () => now);
    const waiting = Promise.all([fresh(), fresh(), fresh()]);
    release({ accessToken: 'access-2', refreshToken: 'refresh-2', expiresIn: 900 });
    expect(await waiting).toEqual([true, true, true]);
    expect(exchange).toHaveBeenCalledTimes(1);
    expect(exchange).toHaveBeenCalledWith('refresh-1');
    expect({ token: session.token, refreshToken: session.refreshToken }).toEqual({ token: 'access-2', refreshToken: 'refresh-2' });
  });

  it('logs out once when the exchange is refused or fails, and answers false', async () => {
    for (const exchange of [async () => null, async () => Promise.reject(new Error('offline'))]) {
      const session = fakeSession(10_000, now);
      const fresh = tokenRefresher(session, exchange, () => now);
      expect(await Promise.all([fresh(), fresh()])).toEqual([false, false]);
      expect(session.loggedOut).toBe(1);
      expect(session.token).toBe('');
    }
  });

  it('answers false without a call when nobody is signed in', async () => {
    const session = fakeSession(10_000, now);
    session.token = '';
    const exchange = jest.fn();
    expect(await tokenRefresher(session, exchange, () => now)()).toBe(false);
    expect(exchange).not.toHaveBeenCalled();
  });
});
