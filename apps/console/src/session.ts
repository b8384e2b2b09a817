import { reactive } from 'vue';
import type { UserView } from '@shared/types';

const KEY = 'xinyuan.console.session';

interface Stored {
  token: string;
  user: UserView;
  /** Rotated on every refresh (POST /api/v1/auth/refresh); the access token lives minutes. */
  refreshToken?: string;
  /** When the access token expires (ms since epoch). */
  expiresAt?: number;
}

const saved: Stored | null = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');

/** The signed-in staff member or grid worker, kept for the browser tab (sessionStorage). */
export const session = reactive({
  token: saved?.token ?? '',
  user: saved?.user ?? null,
  refreshToken: saved?.refreshToken ?? '',
  expiresAt: saved?.expiresAt ?? 0,
  get isAdmin() {
    return !!this.user?.roles.includes('admin');
  },
  /** Dispatchers and admins: the queue, map, dashboard, menu and teams. */
  get isStaff() {
    return !!this.user?.roles.some((r: string) => r === 'dispatcher' || r === 'admin');
  },
  /** 网格员: only the profiles of their grid (一人一档) and the orders they place for those people (代点单). */
  get isGridWorker() {
    return !!this.user?.roles.includes('grid_worker');
  },
  /** Where this person starts: staff at the live queue, a grid worker at the beneficiaries. */
  get home() {
    return this.isStaff ? '/queue' : '/beneficiaries';
  },
  login(data: Stored) {
    this.token = data.token;
    this.user = data.user;
    this.refreshToken = data.refreshToken ?? '';
    this.expiresAt = data.expiresAt ?? 0;
    sessionStorage.setItem(KEY, JSON.stringify(data));
  },
  /** New tokens from a refresh: same person, same tab. */
  renew(tokens: { accessToken: string; refreshToken: string; expiresIn: number }) {
    if (!this.user) return;
    this.login({ token: tokens.accessToken, user: this.user, refreshToken: tokens.refreshToken, expiresAt: Date.now() + tokens.expiresIn * 1000 });
  },
  logout() {
    this.token = '';
    this.user = null;
    this.refreshToken = '';
    this.expiresAt = 0;
    sessionStorage.removeItem(KEY);
    if (!location.hash.startsWith('#/login')) location.hash = '#/login';
  },
});
