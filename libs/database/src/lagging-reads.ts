import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '@xinyuan/config';
import { lsnToBigInt, stalenessMs } from './replica-staleness';
import { applySessionSettings } from './session-settings';

export type ReadTarget = 'replica' | 'primary';

/**
 * Reads that may lag (dashboard, exports, map layers, reports) go to the replica
 * (DATABASE_READ_URL) while its staleness, measured every READ_REPLICA_CHECK_MS, is within
 * READ_REPLICA_MAX_LAG_MS; otherwise, on any replica error, and without a replica, to the primary.
 * Nothing that decides (dispatch, accept, idempotency) reads through here.
 */
@Injectable()
export class LaggingReads implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('LaggingReads');
  private replica?: Pool;
  private samples: { at: number; lsn: bigint }[] = [];
  private timer?: NodeJS.Timeout;
  private checking = false;
  /** Last measured staleness of the replica in ms (undefined: unknown or unreachable). */
  staleness?: number;
  readonly counts: Record<ReadTarget, number> = { replica: 0, primary: 0 };

  constructor(
    private readonly primary: DataSource,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    if (!this.config.DATABASE_READ_URL) return;
    this.replica = new Pool({
      connectionString: this.config.DATABASE_READ_URL,
      max: Math.max(2, Math.ceil(this.config.DB_POOL_SIZE / 2)),
      application_name: 'xinyuan-read',
      connectionTimeoutMillis: 2000,
      onConnect: applySessionSettings({ jit: 'off', default_transaction_read_only: 'on' }),
    });
    this.replica.on('error', (e) => this.logger.warn(`replica: ${e.message}`));
    this.timer = setInterval(() => void this.check(), this.config.READ_REPLICA_CHECK_MS);
    this.timer.unref();
    void this.check();
  }

  /** Where the next read goes. */
  target(): ReadTarget {
    return this.replica && this.staleness !== undefined && this.staleness <= this.config.READ_REPLICA_MAX_LAG_MS ? 'replica' : 'primary';
  }

  async query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
    if (this.target() === 'replica') {
      try {
        const result = await this.replica!.query(sql, params);
        this.counts.replica++;
        return result.rows as T[];
      } catch (e) {
        // a replica that fails mid-read (restarting, promoted away) is skipped until the next check says fresh
        this.staleness = undefined;
        this.logger.warn(`replica read failed, reading from the primary: ${(e as Error).message}`);
      }
    }
    this.counts.primary++;
    return this.primary.query(sql, params);
  }

  /** One measurement: the primary's WAL position now, and how far the replica has replayed. */
  async check(): Promise<void> {
    if (!this.replica || this.checking) return;
    this.checking = true;
    const now = Date.now();
    try {
      const [{ lsn }] = await this.primary.query(`SELECT pg_current_wal_lsn()::text AS lsn`);
      this.samples.push({ at: now, lsn: lsnToBigInt(lsn) });
      const keepAfter = now - 2 * this.config.READ_REPLICA_MAX_LAG_MS - 10 * this.config.READ_REPLICA_CHECK_MS;
      this.samples = this.samples.filter((s) => s.at >= keepAfter);
      const { rows } = await this.replica.query(`SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replayed`);
      // a node that is not in recovery is no replica (promoted, or the read URL points at a primary)
      const replayed = rows[0]?.standby && rows[0].replayed ? lsnToBigInt(rows[0].replayed) : undefined;
      this.staleness = replayed === undefined ? undefined : stalenessMs(this.samples, replayed, Date.now());
    } catch {
      this.staleness = undefined;
    } finally {
      this.checking = false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.replica?.end().catch(() => undefined);
  }
}
