/** The new pair the api answers on POST /api/v1/auth/refresh (the refresh token rotates). */
export interface RenewedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** What the refresher needs of a front end's session store (the console's and the uni-apps'). */
export interface RefreshableSession {
  token: string;
  refreshToken?: string;
  expiresAt?: number;
  renew(tokens: RenewedTokens): void;
  logout(): void;
}

/** Refresh this long before the access token expires. */
export const REFRESH_AHEAD_MS = 60_000;

/**
 * Access tokens live minutes while people keep a page open all day: shortly before the token expires
 * it is exchanged for a new pair. One exchange at a time, shared by every request that needs it (two
 * exchanges with one rotating refresh token would end the session as a reuse). `exchange` does the
 * HTTP call in the front end's own way (fetch, uni.request) and answers null when it was refused.
 * The returned function answers false when the session is over, after logging out.
 */
export function tokenRefresher(session: RefreshableSession, exchange: (refreshToken: string) => Promise<RenewedTokens | null>, now: () => number = Date.now) {
  let inFlight: Promise<boolean> | null = null;
  return async function freshToken(): Promise<boolean> {
    if (!session.token) return false;
    if (!session.refreshToken || !session.expiresAt || session.expiresAt - now() > REFRESH_AHEAD_MS) return true;
    const refreshToken = session.refreshToken;
    inFlight ??= exchange(refreshToken)
      .then((tokens) => {
        if (!tokens) return false;
        session.renew(tokens);
        return true;
      })
      .catch(() => false)
      .finally(() => (inFlight = null));
    const ok = await inFlight;
    if (!ok && session.token) session.logout();
    return ok;
  };
}
