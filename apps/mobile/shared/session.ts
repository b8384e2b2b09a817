import { reactive } from 'vue';
import type { UserView } from '../../web-shared/types';

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

function read(): Stored | null {
  try {
    const raw = uni.getStorageSync(KEY);
    return raw ? (JSON.parse(raw) as Stored) : null;
  } catch {
    return null;
  }
}

const saved = read();

/** Who is signed in on this device (uni storage: localStorage on H5, wx storage in the mini-program). */
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
    uni.setStorageSync(KEY, JSON.stringify(data));
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
    uni.reLaunch({ url: '/pages/index/index' });
  },
});
