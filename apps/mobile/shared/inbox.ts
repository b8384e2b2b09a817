import { reactive } from 'vue';
import { createInboxSync } from '@shared/inbox-sync';
import { subscribeSse } from '@shared/sse';
import type { NotificationView } from '@shared/types';
import { API_BASE, api, freshToken } from './client';
import { session } from './session';

/**
 * The in-app inbox of the signed-in person: the unread badge, the list, and the live stream
 * (server-sent events, `event: notification`) that tells a page to refresh — the volunteer's offers
 * page listens instead of polling. Where fetch can stream (H5) the stream is read with the bearer
 * header; the mini-program has no streaming fetch and re-reads the inbox every 20 s instead.
 */
export const inbox = reactive({
  items: [] as NotificationView[],
  unread: 0,
  live: false,
});
const INBOX_LIMIT = 50;
const sync = createInboxSync(inbox, INBOX_LIMIT);

export async function loadInbox(): Promise<void> {
  if (!session.token) return;
  await sync.load(() => api.GET('/api/v1/me/notifications', { params: { query: { limit: INBOX_LIMIT } } }));
}

export async function markRead(id: string): Promise<void> {
  const item = await api.POST('/api/v1/me/notifications/{id}/read', { params: { path: { id } } });
  const i = inbox.items.findIndex((n) => n.id === id);
  if (i >= 0 && !inbox.items[i].readAt) inbox.unread = Math.max(0, inbox.unread - 1);
  if (i >= 0) inbox.items[i] = item;
}

export async function markAllRead(): Promise<void> {
  await api.POST('/api/v1/me/notifications/read-all');
  await loadInbox();
}

/** The page inside this app a notification's link points at (`/h5/<app>/#/pages/…` → `/pages/…`). */
export function pageOf(link: string | null | undefined): string | null {
  if (!link) return null;
  const hash = link.indexOf('#/');
  return hash >= 0 ? link.slice(hash + 1) : null;
}

type Listener = (n: NotificationView) => void;
const listeners = new Set<Listener>();
let stopStream: (() => void) | null = null;

/** Calls `listener` for every new notification while subscribed; returns the unsubscribe. */
export function onNotification(listener: Listener): () => void {
  listeners.add(listener);
  if (!stopStream) stopStream = startStream();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && stopStream) {
      stopStream();
      stopStream = null;
    }
  };
}

function emit(n: NotificationView) {
  sync.receive(n);
  for (const l of [...listeners]) l(n);
}

function startStream(): () => void {
  return typeof fetch === 'function' && typeof TextDecoderStream !== 'undefined' ? streamBySse() : streamByPolling();
}

function streamBySse(): () => void {
  return subscribeSse({
    url: `${API_BASE}/api/v1/me/notifications/stream`,
    token: () => session.token,
    freshToken,
    onState: (live) => (inbox.live = live),
    // whatever arrived while the stream was down
    onOpen: () => void loadInbox().catch(() => undefined),
    onEvent: (e) => {
      if (e.event === 'notification') emit(JSON.parse(e.data) as NotificationView);
    },
    onUnauthorized: () => session.logout(),
  });
}

function streamByPolling(): () => void {
  const seen = new Set<string>();
  const poll = async () => {
    const before = new Set(inbox.items.map((n) => n.id));
    await loadInbox().catch(() => undefined);
    for (const n of inbox.items) if (!before.has(n.id) && !seen.has(n.id) && before.size) emit(n);
    for (const n of inbox.items) seen.add(n.id);
  };
  void poll();
  const timer = setInterval(poll, 20000);
  return () => clearInterval(timer);
}

let wechatTemplates: Record<string, string> | null = null;

/** Loads the deployment's subscribe-message templates ahead of the tap that asks for consent. */
export async function loadWeChatTemplates(): Promise<void> {
  if (wechatTemplates || typeof (globalThis as { wx?: unknown }).wx === 'undefined') return;
  try {
    wechatTemplates = (await api.GET('/api/v1/client-config')).wechatTemplates ?? {};
  } catch {
    // asked again on the next page
  }
}

/**
 * Mini-program only: asks for the one-time subscribe-message consent (订阅消息) for these
 * notification types at a moment that matters (placing an order, going on duty), and tells the
 * server what the person allowed. WeChat accepts the question only inside a tap, so the templates
 * are loaded beforehand (loadWeChatTemplates) and the question is the first thing done here.
 * No-op on H5 and when the deployment has no templates.
 */
export async function askWeChatConsent(types: string[]): Promise<void> {
  const ask = (uni as unknown as { requestSubscribeMessage?: (o: object) => void }).requestSubscribeMessage;
  if (typeof (globalThis as { wx?: unknown }).wx === 'undefined' || typeof ask !== 'function' || !wechatTemplates) return;
  const ids = types.map((t) => wechatTemplates![t]).filter((x): x is string => !!x);
  if (!ids.length) return;
  const results = await new Promise<Record<string, string>>((resolve) =>
    ask({ tmplIds: ids, success: (r: Record<string, string>) => resolve(r), fail: () => resolve({}) }),
  );
  const answers = Object.fromEntries(Object.entries(results).filter(([k]) => ids.includes(k)));
  // consent is a courtesy: the inbox and SMS reach the person whatever the answer
  if (Object.keys(answers).length) await api.POST('/api/v1/me/wechat-subscriptions', { body: { results: answers } }).catch(() => undefined);
}
