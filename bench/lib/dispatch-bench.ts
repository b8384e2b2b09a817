/**
 * Helpers shared by the dispatch benchmarks: the product's configuration defaults (what the started
 * apps run with), a clean bench Redis, latency summaries, and the dispatcher's /metrics.
 */
import IORedis from 'ioredis';
import { AppConfig } from '../../libs/config/src/app-config';
import { BENCH_REDIS_URL, percentile } from './harness';

/** The prefix `startApp` gives every app (QUEUE_PREFIX). */
export const BENCH_QUEUE_PREFIX = 'bench';

/**
 * The configuration the started apps run with: the product's defaults (the harness only sets
 * connection strings, secrets and ports). Read loosely, so a renamed setting shows up as `undefined`
 * in the report instead of breaking the build.
 */
export function productConfig(): Record<string, unknown> & {
  DISPATCH_MAX_RADIUS_M: number;
  DISPATCH_CONCURRENCY: number;
  WORKER_LOCK_MS: number;
} {
  return { ...(new AppConfig() as unknown as Record<string, unknown>) } as any;
}

/** The settings worth quoting next to dispatch figures. */
export function dispatchSettings(): Record<string, unknown> {
  const c = productConfig();
  return Object.fromEntries(
    Object.entries(c).filter(([k]) => k.startsWith('DISPATCH_') || k.startsWith('RECONCILE_') || k === 'DB_POOL_SIZE' || k === 'WORKER_LOCK_MS'),
  );
}

/** Deletes every BullMQ key of the bench prefix in the bench Redis db (leftovers of earlier runs). */
export async function resetBenchRedis(): Promise<number> {
  const redis = new IORedis(BENCH_REDIS_URL, { maxRetriesPerRequest: null });
  let n = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${BENCH_QUEUE_PREFIX}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) n += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return n;
}

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(values: number[], digits = 1): Summary {
  const s = [...values].sort((a, b) => a - b);
  const r = (v: number) => (Number.isFinite(v) ? round(v, digits) : NaN);
  return {
    n: s.length,
    min: r(s[0]),
    p50: r(percentile(s, 50)),
    p90: r(percentile(s, 90)),
    p99: r(percentile(s, 99)),
    max: r(s[s.length - 1]),
    mean: r(s.reduce((a, v) => a + v, 0) / Math.max(1, s.length)),
  };
}

export const fmt = (s: Summary) => `${s.p50} / ${s.p90} / ${s.p99} / ${s.max}`;

/** A bucket width (1, 2, 5 × 10^k ms) giving about `target` buckets up to the p99. */
export function niceBucket(p99: number, target = 40): number {
  const raw = Math.max(0.1, p99 / target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (raw <= m * mag) return m * mag;
  return 10 * mag;
}

/**
 * The dispatcher's job counters, as { 'xinyuan_jobs_total{job="…",outcome="…"}': n,
 * 'xinyuan_job_duration_ms_sum{job="…"}': ms, 'xinyuan_job_duration_ms_count{job="…"}': n }, read
 * from the job-duration histogram of its /metrics (answered to loopback clients), plus every other
 * sample under its own name.
 */
export async function dispatcherMetrics(url: string): Promise<Record<string, number>> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const out: Record<string, number> = {};
    const add = (k: string, v: number) => (out[k] = (out[k] ?? 0) + v);
    for (const line of text.split('\n')) {
      const m = /^(\S+)\s+([-\d.eE+]+)$/.exec(line.trim());
      if (!m || line.startsWith('#')) continue;
      out[m[1]] = Number(m[2]);
      const h = /^xinyuan_job_duration_seconds_(sum|count)\{(.*)\}$/.exec(m[1]);
      if (!h) continue;
      const labels = Object.fromEntries([...h[2].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      if (h[1] === 'count') {
        add(`xinyuan_jobs_total{job="${labels.job}",outcome="${labels.outcome}"}`, Number(m[2]));
        add(`xinyuan_job_duration_ms_count{job="${labels.job}"}`, Number(m[2]));
      } else add(`xinyuan_job_duration_ms_sum{job="${labels.job}"}`, Number(m[2]) * 1000);
    }
    return out;
  } catch {
    return {};
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const nowMs = () => performance.timeOrigin + performance.now();
export const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
export function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Failed jobs of a bench queue, grouped by job name and reason (BullMQ keeps them for 7 days). */
export async function failedJobReasons(queueName: string): Promise<Record<string, number>> {
  const { Queue } = await import('bullmq');
  const connection = new IORedis(BENCH_REDIS_URL, { maxRetriesPerRequest: null });
  const q = new Queue(queueName, { connection, prefix: BENCH_QUEUE_PREFIX });
  try {
    const out: Record<string, number> = {};
    for (const j of await q.getFailed(0, 5000)) {
      const k = `${j.name}: ${j.failedReason}`;
      out[k] = (out[k] ?? 0) + 1;
    }
    return out;
  } finally {
    await q.close();
    connection.disconnect();
  }
}

/**
 * CPU time (user + system, seconds) used so far by the processes of interest, read from /proc:
 * the given pids, Postgres (every live `postgres` process plus the postmaster's reaped children,
 * so backends and autovacuum workers that exit in between still count) and `redis-server`. Take two snapshots and `cpuShare` them to see which process ate the machine.
 */
export function cpuSnapshot(pids: Record<string, number | undefined>): { atMs: number; seconds: Record<string, number> } {
  const { readdirSync, readFileSync } = require('node:fs') as typeof import('node:fs');
  const tick = 100; // USER_HZ on Linux
  const statOf = (pid: number | string) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      // fields after the command: [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime (clock ticks)
      return { pid: Number(pid), comm, ppid: Number(f[1]), self: (Number(f[11]) + Number(f[12])) / tick, reaped: (Number(f[13]) + Number(f[14])) / tick };
    } catch {
      return null;
    }
  };
  const seconds: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) if (pid) seconds[name] = statOf(pid)?.self ?? 0;
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(statOf).filter((x) => x !== null);
  const pg = all.filter((x) => x.comm === 'postgres');
  const pgPids = new Set(pg.map((x) => x.pid));
  // live postgres processes, plus what the postmaster has reaped from the ones that exited meanwhile
  seconds.postgres = pg.reduce((a, x) => a + x.self + (pgPids.has(x.ppid) ? 0 : x.reaped), 0);
  seconds.redis = all.filter((x) => x.comm.startsWith('redis-server')).reduce((a, x) => a + x.self, 0);
  return { atMs: Date.now(), seconds };
}

/** Cores used by each process group between two snapshots (1.0 = one core busy all the time). */
export function cpuShare(a: ReturnType<typeof cpuSnapshot>, b: ReturnType<typeof cpuSnapshot>): Record<string, number> {
  const wall = (b.atMs - a.atMs) / 1000;
  return Object.fromEntries(Object.keys(b.seconds).map((k) => [k, round((b.seconds[k] - (a.seconds[k] ?? 0)) / wall, 2)]));
}

/** `--env KEY=VALUE` (repeatable): extra environment for the started dispatcher, e.g. DISPATCH_BATCH_WINDOW_MS=0. */
export function envOverrides(): Record<string, string> {
  const out: Record<string, string> = {};
  process.argv.forEach((a, i) => {
    if (a === '--env' && process.argv[i + 1]?.includes('=')) {
      const [k, ...v] = process.argv[i + 1].split('=');
      out[k] = v.join('=');
    }
  });
  return out;
}

/** Result name with the overrides in it, so a variant does not overwrite the default run's file. */
export function resultName(base: string, overrides: Record<string, string>): string {
  const tag = Object.entries(overrides).map(([k, v]) => `${k}=${v}`).join(',');
  // the full size never overwrites the quick figures the README quotes
  const sized = process.argv.includes('--full') ? `${base}.full` : base;
  return tag ? `${sized}.${tag.replace(/[^A-Za-z0-9=,_-]/g, '_')}` : sized;
}

/**
 * A poor man's profiler of Postgres: every `intervalMs`, the statements active in the bench
 * database (other than its own) and its autovacuum workers, with the client backends' wait events.
 * The share of samples in which a statement was running says where Postgres spends its time
 * (pg_stat_statements is not installed).
 */
export class ActivitySampler {
  private readonly counts = new Map<string, number>();
  private readonly waits = new Map<string, number>();
  private samples = 0;
  private stopped = false;
  private running?: Promise<void>;
  /** The sampler's own backend (to leave out of per-database CPU). */
  pid?: number;

  constructor(private readonly url: string, private readonly intervalMs = 50) {}

  start(): void {
    this.running = (async () => {
      const { Client } = await import('pg');
      const c = new Client({ connectionString: this.url });
      await c.connect();
      this.pid = (await c.query(`SELECT pg_backend_pid() AS pid`)).rows[0].pid;
      try {
        while (!this.stopped) {
          const t = Date.now();
          const { rows } = await c.query(
            // autovacuum workers too (their query reads "autovacuum: VACUUM public.orders"): the WAL
            // they write is flushed by the api's synchronous commits, so their bursts show in its tail
            `SELECT query, coalesce(wait_event_type || ':' || wait_event, 'CPU') AS wait, backend_type = 'client backend' AS client
               FROM pg_stat_activity
              WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()
                AND backend_type IN ('client backend', 'autovacuum worker')`,
          );
          this.samples++;
          for (const r of rows) {
            const q = String(r.query).replace(/\s+/g, ' ').trim().slice(0, 110);
            this.counts.set(q, (this.counts.get(q) ?? 0) + 1);
            if (r.client) this.waits.set(r.wait, (this.waits.get(r.wait) ?? 0) + 1);
          }
          await sleep(Math.max(1, this.intervalMs - (Date.now() - t)));
        }
      } finally {
        await c.end();
      }
    })();
  }

  /** Top statements by the average number of backends running them (1.0 = one backend all the time). */
  async stop(top = 12): Promise<{ samples: number; intervalMs: number; statements: { query: string; activeBackends: number }[]; waits: Record<string, number> }> {
    this.stopped = true;
    await this.running;
    const per = (n: number) => round(n / Math.max(1, this.samples), 3);
    return {
      samples: this.samples,
      intervalMs: this.intervalMs,
      statements: [...this.counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([query, n]) => ({ query, activeBackends: per(n) })),
      waits: Object.fromEntries([...this.waits.entries()].sort((a, b) => b[1] - a[1]).map(([w, n]) => [w, per(n)])),
    };
  }
}

/**
 * Stops a started app (SIGTERM, as the harness does) but no longer than `ms`: a dispatcher shutting
 * down waits for its active jobs, which under a backlog can take minutes; then SIGKILL.
 */
export async function stopWithin(app: { child: import('node:child_process').ChildProcess; stop(): Promise<void> }, ms: number) {
  const t = Date.now();
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    app.child.kill('SIGKILL');
  }, ms);
  await app.stop();
  clearTimeout(timer);
  return { seconds: round((Date.now() - t) / 1000, 1), killedAfterSeconds: killed ? ms / 1000 : null };
}

/** The product code measured: git HEAD and whether the working tree had uncommitted changes. */
export function productVersion(): { commit: string; uncommittedChanges: boolean } | null {
  try {
    const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
    const { ROOT } = require('./harness') as typeof import('./harness');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    return { commit: git('rev-parse', '--short', 'HEAD'), uncommittedChanges: git('status', '--porcelain', '--', 'apps', 'libs').length > 0 };
  } catch {
    return null;
  }
}

/**
 * CPU seconds (user + system, from /proc) of each backend now serving the bench database, except the
 * asking connection and any pid in `exclude` (the harness's own pollers): the Postgres CPU of the apps
 * under test alone, whatever other databases on the same server do meanwhile. Backends that exit between
 * two snapshots are lost (the apps keep pooled connections, so few do); autovacuum is not counted.
 */
export async function databaseBackendCpu(db: import('pg').Client, exclude: number[] = []): Promise<Record<string, number>> {
  const { readFileSync } = require('node:fs') as typeof import('node:fs');
  const { rows } = await db.query(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
  );
  const out: Record<string, number> = {};
  for (const { pid } of rows) {
    if (exclude.includes(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[pid] = (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Seconds of backend CPU spent between two `databaseBackendCpu` snapshots (backends new since the first count in full). */
export function backendCpuSpent(a: Record<string, number>, b: Record<string, number>): number {
  return Object.entries(b).reduce((sum, [pid, s]) => sum + s - (a[pid] ?? 0), 0);
}

/** The server's WAL insert position: WAL is server-wide, so a difference counts every database's writes. */
export interface WalMark { lsn: string; checkpoints: number }

export async function walPosition(db: import('pg').Client): Promise<WalMark> {
  const { rows } = await db.query(
    `SELECT pg_current_wal_insert_lsn()::text AS lsn, (checkpoints_timed + checkpoints_req)::int AS checkpoints FROM pg_stat_bgwriter`,
  );
  return rows[0];
}

/** WAL written since `since`, server-wide, and how many checkpoints began meanwhile (each starts a new round of full-page images). */
export async function walBytesSince(db: import('pg').Client, since: WalMark): Promise<{ bytes: number; checkpoints: number }> {
  const now = await walPosition(db);
  const { rows } = await db.query(`SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn) AS n`, [now.lsn, since.lsn]);
  return { bytes: Number(rows[0].n), checkpoints: now.checkpoints - since.checkpoints };
}

/** Transactions committed in the bench database so far (pg_stat_database; the statistics lag by up to ~0.5 s). */
export async function committedTransactions(db: import('pg').Client): Promise<number> {
  const { rows } = await db.query(`SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = current_database()`);
  return Number(rows[0].n);
}
