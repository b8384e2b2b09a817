import { reactive } from 'vue';

/** One key per app: the resident and volunteer H5 sites share an origin (and so localStorage). */
const KEY = `xinyuan.session.${(import.meta as any).env?.VITE_APP ?? 'app'}`;

interface Stored {
  token: string;
  user: { id: string; name: string; phone: string; roles: string[] };
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
  login(data: Stored) {
    this.token = data.token;
    this.user = data.user;
    uni.setStorageSync(KEY, JSON.stringify(data));
  },
  logout() {
    this.token = '';
    this.user = null;
    uni.removeStorageSync(KEY);
    uni.reLaunch({ url: '/pages/index/index' });
  },
});
