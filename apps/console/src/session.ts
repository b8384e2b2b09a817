import { reactive } from 'vue';

const KEY = 'xinyuan.console.session';

interface Stored {
  token: string;
  user: { id: string; name: string; phone: string; roles: string[]; regionId: string | null };
}

const saved: Stored | null = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');

/** The signed-in staff member, kept for the browser tab (sessionStorage). */
export const session = reactive({
  token: saved?.token ?? '',
  user: saved?.user ?? null,
  get isAdmin() {
    return !!this.user?.roles.includes('admin');
  },
  login(data: Stored) {
    this.token = data.token;
    this.user = data.user;
    sessionStorage.setItem(KEY, JSON.stringify(data));
  },
  logout() {
    this.token = '';
    this.user = null;
    sessionStorage.removeItem(KEY);
    if (!location.hash.startsWith('#/login')) location.hash = '#/login';
  },
});
