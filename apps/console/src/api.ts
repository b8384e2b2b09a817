import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from '@shared/api/api-schema';
import type { ApiError, RegionView } from '@shared/types';
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

/**
 * Reads a server-sent-event stream with the bearer token (EventSource cannot send headers) and
 * reconnects with back-off. Returns a stop function.
 */
export function subscribe(path: string, onEvent: (event: string, data: string) => void, onState: (live: boolean) => void): () => void {
  let stopped = false;
  let controller: AbortController | null = null;
  let delay = 1000;
  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        if (!(await freshToken())) return;
        const res = await fetch(path, { headers: { authorization: `Bearer ${session.token}`, accept: 'text/event-stream' }, signal: controller.signal });
        if (res.status === 401) return session.logout();
        if (!res.ok || !res.body) throw new Error(String(res.status));
        onState(true);
        delay = 1000;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let event = 'message';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
            }
            if (data.length) onEvent(event, data.join('\n'));
          }
        }
      } catch {
        // dropped or refused: retry below
      }
      onState(false);
      if (stopped) return;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 15000);
    }
  };
  void run();
  return () => {
    stopped = true;
    controller?.abort();
  };
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
