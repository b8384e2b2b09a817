import type { paths as ApiPaths } from '@shared/api/api-schema';
import type { paths as RatingPaths } from '@shared/api/rating-schema';
import type { ApiError, ClientConfig, SessionView } from '@shared/types';
import { tokenRefresher } from '@shared/token-refresh';
import { session } from './session';

/**
 * The typed api client of the uni-app apps. Paths, parameters and bodies are typed by the schema
 * generated from the OpenAPI documents (scripts/build-web.sh); requests go through `uni.request`,
 * which works in the H5 build and in the WeChat mini-program (where `fetch` does not exist).
 */
type Method = 'get' | 'post' | 'patch' | 'put';
type Op<P, Path extends keyof P, M extends Method> = P[Path] extends Record<M, infer O> ? O : never;
type PathsWith<P, M extends Method> = { [K in keyof P]: P[K] extends Record<M, infer O> ? ([O] extends [never] ? never : K) : never }[keyof P];
type ParamsOf<O> = O extends { parameters: infer X } ? { path?: X extends { path?: infer A } ? A : never; query?: X extends { query?: infer Q } ? Q : never } : never;
type BodyOf<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
/** The JSON body of the operation's 2xx answer, from its response schema; `any` when it declares none. */
type Json<R> = R extends { content: { 'application/json': infer J } } ? J : never;
type AnswerOf<O> = O extends { responses: infer R }
  ? ([Json<R[Extract<keyof R, 200 | 201>]>] extends [never] ? any : Json<R[Extract<keyof R, 200 | 201>]>)
  : any;
export interface Init<O> {
  params?: ParamsOf<O>;
  body?: BodyOf<O>;
  headers?: Record<string, string>;
}

/** The api's origin: '' in the H5 build (served by the api itself); the configured host in the mini-program. */
export const API_BASE: string = (import.meta as any).env?.VITE_API_BASE ?? '';

let ratingBase: string | null = null;

export class RequestError extends Error {
  constructor(readonly status: number, readonly code: string | undefined, message: string, readonly fields?: ApiError['fields']) {
    super(message);
  }
}

function fill(path: string, params?: { path?: Record<string, unknown>; query?: Record<string, unknown> }): string {
  let url = path.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(String(params?.path?.[k] ?? '')));
  const q = Object.entries(params?.query ?? {}).filter(([, v]) => v !== undefined && v !== null);
  if (q.length) url += '?' + q.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
  return url;
}

/** Renews the access token shortly before it expires, one exchange at a time (shared with the console). */
export const freshToken = tokenRefresher(session, (refreshToken) =>
  new Promise<SessionView | null>((resolve) => {
    uni.request({
      url: API_BASE + '/api/v1/auth/refresh',
      method: 'POST',
      header: { 'content-type': 'application/json' },
      data: { refreshToken },
      success: (res) => resolve(res.statusCode === 200 ? (res.data as SessionView) : null),
      fail: () => resolve(null),
    });
  }),
);

async function send<T>(base: string, method: string, path: string, init: { params?: any; body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  if (!path.startsWith('/api/v1/auth/')) await freshToken();
  const header: Record<string, string> = { 'content-type': 'application/json', ...(init.headers ?? {}) };
  if (session.token) header.authorization = `Bearer ${session.token}`;
  return new Promise((resolve, reject) => {
    uni.request({
      url: base + fill(path, init.params),
      method: method as any,
      header,
      data: init.body as any,
      success: (res) => {
        const body = res.data as any;
        if (res.statusCode >= 200 && res.statusCode < 300) return resolve(body as T);
        if (res.statusCode === 401 && session.token) session.logout();
        reject(new RequestError(res.statusCode, body?.code, body?.message ?? `HTTP ${res.statusCode}`, body?.fields));
      },
      fail: (e) => reject(new RequestError(0, 'NETWORK', '网络连接失败，请稍后再试 / network error: ' + (e as any)?.errMsg)),
    });
  });
}

function client<P>(base: () => Promise<string> | string) {
  return {
    GET: async <Path extends PathsWith<P, 'get'>>(path: Path, init?: Init<Op<P, Path, 'get'>>) =>
      send<AnswerOf<Op<P, Path, 'get'>>>(await base(), 'GET', path as string, init),
    POST: async <Path extends PathsWith<P, 'post'>>(path: Path, init?: Init<Op<P, Path, 'post'>>) =>
      send<AnswerOf<Op<P, Path, 'post'>>>(await base(), 'POST', path as string, init),
    PATCH: async <Path extends PathsWith<P, 'patch'>>(path: Path, init?: Init<Op<P, Path, 'patch'>>) =>
      send<AnswerOf<Op<P, Path, 'patch'>>>(await base(), 'PATCH', path as string, init),
    PUT: async <Path extends PathsWith<P, 'put'>>(path: Path, init?: Init<Op<P, Path, 'put'>>) =>
      send<AnswerOf<Op<P, Path, 'put'>>>(await base(), 'PUT', path as string, init),
  };
}

export const api = client<ApiPaths>(() => API_BASE);

/** The rating service lives on its own origin, published by the api at /api/v1/client-config. */
export const rating = client<RatingPaths>(async () => {
  if (ratingBase === null) {
    const config = await send<ClientConfig>(API_BASE, 'GET', '/api/v1/client-config');
    const here = typeof location !== 'undefined' && location.hostname ? `${location.protocol}//${location.hostname}:3001` : null;
    ratingBase = config.ratingUrl ?? (API_BASE ? API_BASE.replace(/:\d+$/, ':3001') : here) ?? '';
  }
  return ratingBase!;
});

/** A fresh idempotency key for one order form: a retry of the same submit never makes two orders. */
export function idempotencyKey(): string {
  return `h5-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}
