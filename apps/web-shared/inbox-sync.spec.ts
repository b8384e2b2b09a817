import { createInboxSync, InboxPage, InboxState } from './inbox-sync';

type Item = { id: string; readAt: string | null };
const item = (id: string, readAt: string | null = null): Item => ({ id, readAt });

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('createInboxSync (the console bell and the H5 inbox keep live events a slower page did not have)', () => {
  it('a page read before a live event but answered after it keeps the event and counts it unread', async () => {
    const state: InboxState<Item> = { items: [], unread: 0 };
    const sync = createInboxSync(state, 30);
    const page = deferred<InboxPage<Item>>();
    const loading = sync.load(() => page.promise);
    expect(sync.receive(item('new'))).toBe(true);
    expect(state).toEqual({ items: [item('new')], unread: 1 });
    page.resolve({ items: [item('old', '2026-11-30T08:00:00Z')], unreadCount: 0 });
    await loading;
    expect(state).toEqual({ items: [item('new'), item('old', '2026-11-30T08:00:00Z')], unread: 1 });
  });

  it('several events that arrive while a page is in flight stay newest first', async () => {
    const state: InboxState<Item> = { items: [], unread: 0 };
    const sync = createInboxSync(state, 30);
    const page = deferred<InboxPage<Item>>();
    const loading = sync.load(() => page.promise);
    sync.receive(item('first'));
    sync.receive(item('second'));
    expect(state.items.map((n) => n.id)).toEqual(['second', 'first']);
    page.resolve({ items: [item('old', '2026-11-30T08:00:00Z')], unreadCount: 0 });
    await loading;
    expect(state.items.map((n) => n.id)).toEqual(['second', 'first', 'old']);
    expect(state.unread).toBe(2);
  });

  it('an event read while a page is in flight stays read when the page lacks it', async () => {
    const state: InboxState<Item> = { items: [], unread: 0 };
    const sync = createInboxSync(state, 30);
    const page = deferred<InboxPage<Item>>();
    const loading = sync.load(() => page.promise);
    sync.receive(item('new'));
    // the bell's click: the entry marked read on the server and in the list
    state.items = state.items.map((x) => (x.id === 'new' ? item('new', '2026-11-30T09:00:00Z') : x));
    state.unread = 0;
    page.resolve({ items: [item('old', '2026-11-30T08:00:00Z')], unreadCount: 0 });
    await loading;
    expect(state).toEqual({ items: [item('new', '2026-11-30T09:00:00Z'), item('old', '2026-11-30T08:00:00Z')], unread: 0 });
  });

  it('an event delivered twice while a page is in flight is listed and counted once', async () => {
    const state: InboxState<Item> = { items: [], unread: 0 };
    const sync = createInboxSync(state, 30);
    const page = deferred<InboxPage<Item>>();
    const loading = sync.load(() => page.promise);
    expect(sync.receive(item('new'))).toBe(true);
    expect(sync.receive(item('new'))).toBe(false);
    page.resolve({ items: [], unreadCount: 0 });
    await loading;
    expect(state).toEqual({ items: [item('new')], unread: 1 });
  });

  it('an event the page already has is neither listed nor counted twice', async () => {
    const state: InboxState<Item> = { items: [], unread: 0 };
    const sync = createInboxSync(state, 30);
    const page = deferred<InboxPage<Item>>();
    const loading = sync.load(() => page.promise);
    sync.receive(item('a'));
    page.resolve({ items: [item('a')], unreadCount: 1 });
    await loading;
    expect(state).toEqual({ items: [item('a')], unread: 1 });
    expect(sync.receive(item('a'))).toBe(false);
    expect(state.unread).toBe(1);
  });

  it('an older page answered after a newer one is dropped', async () => {
    const state: InboxState<Item> = { items: [], unread: 0 };
    const sync = createInboxSync(state, 30);
    const older = deferred<InboxPage<Item>>();
    const newer = deferred<InboxPage<Item>>();
    const first = sync.load(() => older.promise);
    const second = sync.load(() => newer.promise);
    newer.resolve({ items: [item('b'), item('a')], unreadCount: 2 });
    await second;
    older.resolve({ items: [item('a')], unreadCount: 1 });
    await first;
    expect(state).toEqual({ items: [item('b'), item('a')], unread: 2 });
  });

  it('keeps at most `limit` items, newest first', async () => {
    const state: InboxState<Item> = { items: [], unread: 0 };
    const sync = createInboxSync(state, 2);
    await sync.load(async () => ({ items: [item('b'), item('a')], unreadCount: 2 }));
    sync.receive(item('c'));
    expect(state.items.map((n) => n.id)).toEqual(['c', 'b']);
    expect(state.unread).toBe(3);
  });

  it('a failed page rejects and changes nothing; live events still arrive', async () => {
    const state: InboxState<Item> = { items: [item('a')], unread: 1 };
    const sync = createInboxSync(state, 30);
    await expect(sync.load(async () => Promise.reject(new Error('offline')))).rejects.toThrow('offline');
    expect(state).toEqual({ items: [item('a')], unread: 1 });
    sync.receive(item('b'));
    expect(state).toEqual({ items: [item('b'), item('a')], unread: 2 });
  });
});
