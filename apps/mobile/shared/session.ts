import { reactive } from 'vue';
import type { UserView } from '@shared/types';

/** One key per app: the resident and volunteer H5 sites share an origin (and so localStorage). */
const KEY = `xinyuan.session.${(import.meta as any).env?.VITE_APP ?? 'app'}`;

interface Stored {
  token: string;
  user: UserView;
  /** Rotated on every refresh; lets an elder stay signed in on their own phone. */
  refreshToken?: string;
  /** When the access token expires (ms since epoch). */
  expiresAt?: number;
}

/**
 * Where the refresh token may live. The mini-program's storage is the app's own (other code cannot
 * read it), so there it stays for its whole lifetime. A browser's localStorage is readable by any
 * script of the origin and outlives the tab: on H5 the refresh token is kept in sessionStorage only
 * (gone when the tab closes; the signed-in name and the 15-minute access token stay in localStorage).
 */
const h5Session: Storage | undefined = typeof window !== 'undefined' && typeof window.sessionStorage !== 'undefined' ? window.sessionStorage : undefined;
const REFRESH_KEY = `${KEY}.refresh`;

function read(): Stored | null {
  try {
    const raw = uni.getStorageSync(KEY);
    if (!raw) return null;
    const stored = JSON.parse(raw) as Stored;
    if (h5Session) stored.refreshToken = h5Session.getItem(REFRESH_KEY) ?? undefined;
    return stored;
  } catch {
    return null;
  }
}

function write(data: Stored): void {
  if (h5Session) {
    const { refreshToken, ...rest } = data;
    if (refreshToken) h5Session.setItem(REFRESH_KEY, refreshToken);
    else h5Session.removeItem(REFRESH_KEY);
    uni.setStorageSync(KEY, JSON.stringify(rest));
  } else {
    uni.setStorageSync(KEY, JSON.stringify(data));
  }
}

const saved = read();

/** Who is signed in on this device (uni storage: localStorage on H5, wx storage in the mini-program; the refresh token see above). */
export const session = reactive({
  token: saved?.token ?? '',
  user: saved?.user ?? null,
  refreshToken: saved?.refreshToken ?? '',
  expiresAt: saved?.expiresAt ?? 0,
  login(data: Stored) {
    this.token = data.token;
    this.user = data.user;
    this.refreshToken = data.refreshToken ?? '';
    this.expiresAt = data.expiresAt ?? 0;
    write(data);
  },
  renew(tokens: { accessToken: string; refreshToken: string; expiresIn: number }) {
    if (!this.user) return;
    this.login({ token: tokens.accessToken, user: this.user, refreshToken: tokens.refreshToken, expiresAt: Date.now() + tokens.expiresIn * 1000 });
  },
  logout() {
    this.token = '';
    this.user = null;
    this.refreshToken = '';
    this.expiresAt = 0;
    uni.removeStorageSync(KEY);
    h5Session?.removeItem(REFRESH_KEY);
    uni.reLaunch({ url: '/pages/index/index' });
  },
});
