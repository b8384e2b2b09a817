import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@xinyuan/config';
import { AuthRedis } from './auth-redis';

/**
 * Which sessions are revoked, for the guard on every request. Postgres (`auth_sessions.revoked_at`)
 * is the truth; Redis holds one key per session revoked within the last access-token lifetime (older
 * revocations no longer matter: every access token of such a session has expired), so the check is a
 * single MGET. A sentinel key tells a complete Redis copy from a flushed one: when it is missing (a
 * flush, or it expired after a minute) the copy is rebuilt from Postgres first. When Redis is unreachable the check asks Postgres,
 * and once Redis answers again this process rebuilds the copy before trusting it (a revocation made
 * meanwhile, here, is in Postgres only); other processes pick it up when the sentinel runs out.
 */
/**
 * The Redis copy is rebuilt at least this often, so a revocation Redis missed (it was unreachable at
 * the moment of logout) is enforced within a minute anyway.
 */
const SENTINEL_TTL_SECONDS = 60;

/** Sessions one process remembers as existing (the revocation check still runs on every request). */
const KNOWN_SESSIONS_MAX = 100_000;

@Injectable()
export class SessionRevocations {
  private readonly logger = new Logger(SessionRevocations.name);
  private readonly ttlSeconds: number;
  private reloading: Promise<void> | undefined;
  /**
   * Redis failures seen by this process (a revocation it could not write, a check it answered from
   * Postgres) and how many of them a completed reload covers: while the first is ahead, this
   * process rebuilds the Redis copy before it trusts it again, instead of waiting for the sentinel.
   */
  private redisFailures = 0;
  private failuresCoveredByReload = 0;
  /** Sessions known to exist (insertion order: the oldest is forgotten first). */
  private readonly known = new Set<string>();

  constructor(
    private readonly redis: AuthRedis,
    private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    // access tokens live JWT_TTL_SECONDS; a minute more covers clock skew between replicas
    this.ttlSeconds = config.JWT_TTL_SECONDS + 60;
  }

  private revokedKey(sessionId: string): string {
    return this.redis.key('revoked', sessionId);
  }

  private get sentinelKey(): string {
    return this.redis.key('revocations-loaded');
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    try {
      const [loaded, revoked] = await this.redis.client.mget(this.sentinelKey, this.revokedKey(sessionId));
      if (revoked) return true;
      if (loaded && this.failuresCoveredByReload === this.redisFailures) return false;
      await this.reload();
      return (await this.redis.client.exists(this.revokedKey(sessionId))) === 1;
    } catch (e) {
      this.redisFailures++;
      this.logger.warn(`revocation check falls back to Postgres: ${(e as Error)?.message}`);
      const rows: { revoked: boolean }[] = await this.dataSource.query(
        `SELECT revoked_at IS NOT NULL AS revoked FROM auth_sessions WHERE id = $1`,
        [sessionId],
      );
      return rows.length === 0 || rows[0].revoked;
    }
  }

  /**
   * Is this a session that exists and is not revoked? A token signed with our secret but naming a
   * session nobody opened (a forged token: the secret leaked, or a development secret reused) is
   * refused like a revoked one. Sessions seen to exist are remembered in this process (bounded), so
   * Postgres is asked once per session and process.
   */
  async isLive(sessionId: string): Promise<boolean> {
    if (await this.isRevoked(sessionId)) return false;
    if (this.known.has(sessionId)) return true;
    const rows: { revoked: boolean }[] = await this.dataSource.query(`SELECT revoked_at IS NOT NULL AS revoked FROM auth_sessions WHERE id = $1`, [sessionId]);
    if (rows.length === 0 || rows[0].revoked) return false;
    if (this.known.size >= KNOWN_SESSIONS_MAX) this.known.delete(this.known.values().next().value as string);
    this.known.add(sessionId);
    return true;
  }

  /** Call after the revocation is committed to Postgres. */
  async markRevoked(sessionId: string): Promise<void> {
    try {
      await this.redis.client.set(this.revokedKey(sessionId), '1', 'EX', this.ttlSeconds);
    } catch (e) {
      // Postgres holds it; make the next check rebuild the Redis copy rather than trust it
      this.redisFailures++;
      this.logger.error(`could not mark session revoked in Redis: ${(e as Error)?.message}`);
      await this.redis.client.del(this.sentinelKey).catch(() => undefined);
    }
  }

  /** Rebuilds the Redis copy from Postgres (one at a time per process). */
  private reload(): Promise<void> {
    this.reloading ??= (async () => {
      const failuresBefore = this.redisFailures;
      try {
        const rows: { id: string; remaining: number }[] = await this.dataSource.query(
          `SELECT id, ceil($1 - extract(epoch FROM now() - revoked_at))::int AS remaining
             FROM auth_sessions WHERE revoked_at > now() - make_interval(secs => $1)`,
          [this.ttlSeconds],
        );
        const multi = this.redis.client.multi();
        for (const r of rows) if (r.remaining > 0) multi.set(this.revokedKey(r.id), '1', 'EX', r.remaining);
        multi.set(this.sentinelKey, String(Date.now()), 'EX', SENTINEL_TTL_SECONDS);
        await multi.exec();
        this.failuresCoveredByReload = failuresBefore;
        this.logger.log(`session revocations reloaded from Postgres (${rows.length})`);
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }
}
