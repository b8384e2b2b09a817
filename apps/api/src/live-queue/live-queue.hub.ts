import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '@xinyuan/config';
import { Scope } from '@xinyuan/org';
import { LiveQueueQueries, LiveQueueSnapshot } from './live-queue.queries';

/** The NOTIFY channel of migration 1765400000001 (`order_events_notify_queue`). */
export const LIVE_QUEUE_CHANNEL = 'xinyuan_queue';

/** Changes arriving within this window are folded into one recomputation. */
const DEBOUNCE_MS = 150;

export type QueueListener = (snapshot: LiveQueueSnapshot) => void;

/** The viewers of one jurisdiction: one query per change for all of them, scoped and limited in SQL. */
interface ScopeGroup {
  scope: Scope;
  listeners: Set<QueueListener>;
  last: LiveQueueSnapshot | null;
  lastKey: string;
}

const scopeKey = (scope: Scope) => (scope.kind === 'subtree' ? `subtree:${scope.regionId}` : scope.kind);

/**
 * Fans the live queue out to every open stream of this api process. One LISTEN connection per
 * process (so it works with any number of api replicas: Postgres tells each of them), opened when
 * the first viewer arrives. A change recomputes the queue once and sends it only when it differs
 * from the last one sent; a timer recomputes it while anyone watches, for offers that enter the
 * "about to expire" band with time alone. After a lost connection it reconnects and recomputes,
 * so a missed notification costs at most one refresh interval.
 */
@Injectable()
export class LiveQueueHub implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(LiveQueueHub.name);
  private readonly groups = new Map<string, ScopeGroup>();
  /** Open streams end themselves here when the process shuts down, so the server can close. */
  private readonly enders = new Set<() => void>();
  private client: Client | null = null;
  private connecting: Promise<void> | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private refresh: NodeJS.Timeout | null = null;
  private reconnect: NodeJS.Timeout | null = null;
  private computing: Promise<void> | null = null;
  private again = false;
  private closed = false;
  /** Notifications received (for tests and metrics). */
  notifications = 0;

  constructor(
    private readonly queries: LiveQueueQueries,
    private readonly config: AppConfig,
  ) {}

  /**
   * Adds a viewer of one jurisdiction: it gets that jurisdiction's queue at once, then every change.
   * Returns the unsubscribe.
   */
  async subscribe(scope: Scope, listener: QueueListener, end?: () => void): Promise<() => void> {
    if (this.closed) throw new Error('shutting down');
    const key = scopeKey(scope);
    const group: ScopeGroup = this.groups.get(key) ?? { scope, listeners: new Set(), last: null, lastKey: '' };
    this.groups.set(key, group);
    group.listeners.add(listener);
    if (end) this.enders.add(end);
    await this.ensureListening();
    if (!this.refresh) this.refresh = setInterval(() => this.schedule(), this.config.LIVE_QUEUE_REFRESH_MS).unref();
    if (!group.last) await this.recompute();
    if (group.last && group.listeners.has(listener)) listener(group.last);
    return () => {
      group.listeners.delete(listener);
      if (end) this.enders.delete(end);
      // the next first viewer of this jurisdiction must not get a stale queue
      if (group.listeners.size === 0 && this.groups.get(key) === group) this.groups.delete(key);
      if (this.viewers === 0 && this.refresh) {
        clearInterval(this.refresh);
        this.refresh = null;
      }
    };
  }

  get viewers(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.listeners.size;
    return n;
  }

  private async ensureListening(): Promise<void> {
    if (this.client || this.closed) return;
    if (!this.connecting) {
      this.connecting = this.connect().finally(() => (this.connecting = null));
    }
    await this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.config.DATABASE_URL, application_name: 'xinyuan-live-queue' });
    const lost = (why: string) => {
      if (this.client !== client) return;
      this.client = null;
      client.removeAllListeners();
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.logger.warn(`live queue LISTEN connection lost (${why}); reconnecting`);
      this.reconnect ??= setTimeout(() => {
        this.reconnect = null;
        if (this.viewers) this.ensureListening().then(() => this.schedule()).catch(() => undefined);
      }, 1000).unref();
    };
    try {
      await client.connect();
      client.on('notification', () => {
        this.notifications++;
        this.schedule();
      });
      client.on('error', (e) => lost(e.message));
      client.on('end', () => lost('closed'));
      await client.query(`LISTEN ${LIVE_QUEUE_CHANNEL}`);
      this.client = client;
    } catch (e) {
      client.end().catch(() => undefined);
      this.logger.warn(`live queue cannot LISTEN: ${(e as Error).message}; retrying`);
      this.reconnect ??= setTimeout(() => {
        this.reconnect = null;
        if (this.viewers) this.ensureListening().then(() => this.schedule()).catch(() => undefined);
      }, 1000).unref();
    }
  }

  private schedule(): void {
    if (this.debounce || this.viewers === 0) return;
    this.debounce = setTimeout(() => {
      this.debounce = null;
      this.recompute().catch((e) => this.logger.warn(`live queue refresh failed: ${(e as Error).message}`));
    }, DEBOUNCE_MS);
  }

  /** One recomputation at a time; a change during one triggers exactly one more. */
  private async recompute(): Promise<void> {
    if (this.computing) {
      this.again = true;
      return this.computing;
    }
    this.computing = (async () => {
      do {
        this.again = false;
        // one query per jurisdiction being watched (scoped and limited in SQL), not per viewer
        for (const group of [...this.groups.values()]) {
          if (group.listeners.size === 0) continue;
          const snapshot = await this.queries.snapshot(group.scope);
          const key = JSON.stringify(snapshot.items);
          const changed = key !== group.lastKey;
          group.last = snapshot;
          group.lastKey = key;
          if (changed) for (const l of [...group.listeners]) l(snapshot);
        }
      } while (this.again);
    })().finally(() => (this.computing = null));
    return this.computing;
  }

  /** Ends every open stream (clients reconnect to another replica) before the HTTP server closes. */
  beforeApplicationShutdown(): void {
    this.closed = true;
    for (const end of [...this.enders]) end();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    for (const t of [this.debounce, this.reconnect]) if (t) clearTimeout(t);
    if (this.refresh) clearInterval(this.refresh);
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners();
      await client.end().catch(() => undefined);
    }
  }
}
