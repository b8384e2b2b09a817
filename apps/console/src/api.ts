import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from '@shared/api/api-schema';
import type { ApiError, RegionView } from '@shared/types';
import { subscribeSse } from '@shared/sse';
import { tokenRefresher } from '@shared/token-refresh';
import { session } from './session';

/**
 * The typed api client, generated from the api's OpenAPI document (scripts/build-web.sh runs
 * openapi-typescript): paths, parameters and bodies are checked against the backend's DTOs.
 */
export const api = createClient<paths>({ baseUrl: '' });

/**
 * Staff keep the console open all day: the access token is renewed shortly before it expires, one
 * exchange at a time (apps/web-shared/token-refresh.ts, shared with the uni-apps). False when the
 * session is over (logged out elsewhere, refresh token reused).
 */
export const freshToken = tokenRefresher(session, async (refreshToken) => {
  const res = await fetch('/api/v1/auth/refresh', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken }),
  });
  return res.ok ? res.json() : null;
});

const auth: Middleware = {
  async onRequest({ request }) {
    if (request.url.endsWith('/api/v1/auth/refresh') || request.url.endsWith('/api/v1/auth/login')) return request;
    if (session.token && (await freshToken())) request.headers.set('authorization', `Bearer ${session.token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401 && session.token) session.logout();
    return response;
  },
};
api.use(auth);

/**
 * What a call answers: the response schema of the operation (from the OpenAPI document); `any` only
 * for an operation that declares no JSON body.
 */
export type Answer<D> = [Exclude<D, undefined>] extends [never] ? any : Exclude<D, undefined>;

/**
 * Unwraps an openapi-fetch result: the data, typed by the operation's response schema, or throws the
 * API's error body (code, Chinese message, fields).
 */
export async function call<D>(promise: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<Answer<D>> {
  const { data, error, response } = await promise;
  if (error !== undefined || !response.ok) {
    const body = (error ?? {}) as Partial<ApiError>;
    throw Object.assign(new Error(body.message ?? response.statusText), { status: response.status, code: body.code, fields: body.fields });
  }
  return data as Answer<D>;
}

/** Downloads a file from an authenticated GET (export). */
export async function download(path: string, filename: string): Promise<void> {
  await freshToken();
  const res = await fetch(path, { headers: { authorization: `Bearer ${session.token}` } });
  if (!res.ok) throw new Error((await res.json().catch(() => ({}))).message ?? res.statusText);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A live stream of the api (server-sent events with the bearer token, reconnecting); returns a stop function. */
export function subscribe(path: string, onEvent: (event: string, data: string) => void, onState: (live: boolean) => void): () => void {
  return subscribeSse({
    url: path, token: () => session.token, freshToken, onState,
    onEvent: (e) => onEvent(e.event, e.data),
    onUnauthorized: () => session.logout(),
  });
}

/** Every region of the caller's jurisdiction (the list is paginated: read page after page). */
export async function allRegions(): Promise<RegionView[]> {
  const out: RegionView[] = [];
  let cursor: string | undefined;
  do {
    const page = await call(api.GET('/api/v1/regions', { params: { query: { limit: 100, cursor } } }));
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}
