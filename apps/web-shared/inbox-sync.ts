/**
 * Keeps an inbox (the list and the unread count) right while a page load and the live stream race.
 * Both the console's bell and the H5 inbox read a page of notifications when the stream (re)opens
 * and add each live event as it comes. A page that was read on the server before an event was
 * written, but answered after the event arrived, used to replace the list and the count and so
 * hid the new notification until the next reload; an older page answered after a newer one did the
 * same. Here a page keeps the events that arrived while it was in flight and it does not have, and a
 * page older than the one already shown is dropped.
 */
export interface InboxItem {
  id: string;
  readAt?: string | null;
}

export interface InboxState<T extends InboxItem> {
  items: T[];
  unread: number;
}

export interface InboxPage<T extends InboxItem> {
  items: T[];
  unreadCount: number;
}

export interface InboxSync<T extends InboxItem> {
  /** Reads a page with `fetchPage` and shows it, keeping live events it does not have yet. */
  load(fetchPage: () => Promise<InboxPage<T>>): Promise<void>;
  /** Adds a live event; false when the list already had it. */
  receive(n: T): boolean;
}

export function createInboxSync<T extends InboxItem>(state: InboxState<T>, limit: number): InboxSync<T> {
  let started = 0;
  let shown = 0;
  const inFlight = new Set<T[]>();
  return {
    async load(fetchPage) {
      const seq = ++started;
      const arrived: T[] = [];
      inFlight.add(arrived);
      let page: InboxPage<T>;
      try {
        page = await fetchPage();
      } finally {
        inFlight.delete(arrived);
      }
      if (seq < shown) return;
      shown = seq;
      const onPage = new Set(page.items.map((n) => n.id));
      // newest first, as the list shows them, each once, and as the list has it now (read meanwhile: read)
      const missing = [...new Map(arrived.filter((n) => !onPage.has(n.id)).map((n) => [n.id, n])).values()]
        .reverse()
        .map((n) => state.items.find((x) => x.id === n.id) ?? n);
      state.items = [...missing, ...page.items].slice(0, limit);
      state.unread = page.unreadCount + missing.filter((n) => !n.readAt).length;
    },
    receive(n) {
      for (const arrived of inFlight) arrived.push(n);
      if (state.items.some((x) => x.id === n.id)) return false;
      state.items = [n, ...state.items].slice(0, limit);
      if (!n.readAt) state.unread++;
      return true;
    },
  };
}
