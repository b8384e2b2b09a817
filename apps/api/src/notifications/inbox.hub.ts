import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '@xinyuan/config';
import { INBOX_CHANNEL, InboxItem, InboxService } from '@xinyuan/notifications';

type Listener = (item: InboxItem) => void;

/**
 * Pushes new inbox entries to the open streams of this api process. The relay announces the ids it
 * wrote with NOTIFY (on commit); one LISTEN connection per process, opened with the first stream,
 * reads them and sends each to its recipient's streams. A lost connection reconnects; a client that
 * missed something reads the list again when it reconnects (the stream is a hint, the list the truth).
 */
@Injectable()
export class InboxHub implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(InboxHub.name);
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly enders = new Set<() => void>();
  private client: Client | null = null;
  private connecting: Promise<void> | null = null;
  private reconnect: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly inbox: InboxService,
    private readonly config: AppConfig,
  ) {}

  async subscribe(userId: string, listener: Listener, end: () => void): Promise<() => void> {
    if (this.closed) throw new Error('shutting down');
    let set = this.listeners.get(userId);
    if (!set) this.listeners.set(userId, (set = new Set()));
    set.add(listener);
    this.enders.add(end);
    await this.ensureListening();
    return () => {
      set!.delete(listener);
      if (set!.size === 0) this.listeners.delete(userId);
      this.enders.delete(end);
    };
  }

  private async ensureListening(): Promise<void> {
    if (this.client || this.closed) return;
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    await this.connecting;
  }

  private retryLater(): void {
    this.reconnect ??= setTimeout(() => {
      this.reconnect = null;
      if (this.listeners.size) this.ensureListening().catch(() => undefined);
    }, 1000).unref();
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.config.DATABASE_URL, application_name: 'xinyuan-inbox' });
    const lost = (why: string) => {
      if (this.client !== client) return;
      this.client = null;
      client.removeAllListeners();
      client.end().catch(() => undefined);
      if (this.closed) return;
      this.logger.warn(`inbox LISTEN connection lost (${why}); reconnecting`);
      this.retryLater();
    };
    try {
      await client.connect();
      client.on('notification', (n) => void this.deliver(n.payload ?? ''));
      client.on('error', (e) => lost(e.message));
      client.on('end', () => lost('closed'));
      await client.query(`LISTEN ${INBOX_CHANNEL}`);
      this.client = client;
    } catch (e) {
      client.end().catch(() => undefined);
      this.logger.warn(`inbox cannot LISTEN: ${(e as Error).message}; retrying`);
      this.retryLater();
    }
  }

  private async deliver(payload: string): Promise<void> {
    const ids = payload.split(',').filter(Boolean);
    if (!ids.length || this.listeners.size === 0) return;
    try {
      for (const item of await this.inbox.byIds(ids)) {
        const { recipientUserId, ...view } = item;
        for (const l of this.listeners.get(recipientUserId) ?? []) l(view);
      }
    } catch (e) {
      this.logger.warn(`inbox push failed: ${(e as Error).message}`);
    }
  }

  beforeApplicationShutdown(): void {
    this.closed = true;
    for (const end of [...this.enders]) end();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.reconnect) clearTimeout(this.reconnect);
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners();
      await client.end().catch(() => undefined);
    }
  }
}
