import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import IORedis from 'ioredis';

const run = promisify(execFile);
// compiled into dist/bench/chaos, or run from bench/chaos by jest
const ROOT = __dirname.includes('/dist/bench/') ? resolve(__dirname, '../../..') : resolve(__dirname, '../..');

export type Component =
  | 'etcd' | 'pg1' | 'pg2' | 'haproxy' | 'pgbouncer' | 'redis1' | 'redis2' | 'sentinel1' | 'sentinel2' | 'sentinel3'
  | 'api1' | 'api2' | 'dispatcher1' | 'dispatcher2' | 'dispatcher3' | 'rating' | 'relay' | 'prometheus';

export interface HaLayoutOptions {
  /** State directory (data, configs, logs). */
  dir: string;
  /** Added to every default port of scripts/ha.sh. */
  portOffset: number;
  /** Third octet of dispatcher3's private link. */
  net: number;
  queuePrefix: string;
  /** Extra settings for every app (fast timers, generous limits). */
  appEnv?: Record<string, string>;
}

/**
 * The HA layout of scripts/ha.sh, driven from TypeScript: start, stop, crash and isolate its
 * components, and ask the engines who is in charge (Patroni's REST API, the Sentinels).
 */
export class HaLayout {
  readonly ports;

  constructor(readonly options: HaLayoutOptions) {
    const p = (n: number) => n + options.portOffset;
    this.ports = {
      api: p(8080), api1: p(3010), api2: p(3011), rating: p(3030), relay: p(3040), dispatcher1: p(3020), dispatcher2: p(3021),
      pgPrimary: p(5450), pgReplica: p(5451), bouncer: p(6432), rest1: p(8008), rest2: p(8009),
      redis1: p(6380), redis2: p(6381), sentinels: [p(26380), p(26381), p(26382)], prometheus: p(9095),
    };
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.ports.api}`;
  }
  get ratingUrl(): string {
    return `http://127.0.0.1:${this.ports.rating}`;
  }
  get primaryUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.ports.pgPrimary}/xinyuan`;
  }
  get replicaUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.ports.pgReplica}/xinyuan`;
  }
  get logDir(): string {
    return join(this.options.dir, 'log');
  }

  private env(): NodeJS.ProcessEnv {
    const envFile = join('/tmp', `xinyuan-ha-appenv-${this.options.net}.env`);
    writeFileSync(envFile, Object.entries(this.options.appEnv ?? {}).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    return {
      ...process.env,
      XINYUAN_HA_DIR: this.options.dir,
      HA_PORT_OFFSET: String(this.options.portOffset),
      HA_NET: String(this.options.net),
      HA_QUEUE_PREFIX: this.options.queuePrefix,
      HA_APP_ENV_FILE: envFile,
      ADMIN_PASSWORD: this.options.appEnv?.ADMIN_PASSWORD ?? process.env.ADMIN_PASSWORD ?? 'Admin#2026',
    };
  }

  async ha(...args: string[]): Promise<string> {
    const { stdout } = await run('bash', [join(ROOT, 'scripts/ha.sh'), ...args], { env: this.env(), maxBuffer: 64 * 1024 * 1024, timeout: 600000 });
    return stdout;
  }

  up(...flags: string[]): Promise<string> {
    return this.ha('up', ...flags);
  }
  down(): Promise<string> {
    return this.ha('down');
  }
  destroy(): Promise<string> {
    return this.ha('destroy');
  }
  start(c: Component): Promise<string> {
    return this.ha('start', c);
  }
  stop(c: Component): Promise<string> {
    return this.ha('stop', c);
  }
  crash(c: Component): Promise<string> {
    return this.ha('kill', c);
  }
  isolate(c: Component, seconds: number): Promise<string> {
    return this.ha('isolate', c, String(seconds));
  }

  /**
   * Registration needs the SMS code sent to the phone. The layout's apis use the development sender,
   * which writes `[dev SMS] 137****1234 登录验证码 123456` to their logs: `send` asks for a code, and the
   * code written for this (masked) phone after that moment is read back from api1's and api2's logs.
   */
  async smsCode(phone: string, send: () => Promise<void>, timeoutMs = 20000): Promise<string> {
    const logs = ['api1', 'api2'].map((name) => join(this.logDir, `${name}.log`));
    const marks = logs.map((f) => (existsSync(f) ? statSync(f).size : 0));
    await send();
    const masked = `${phone.slice(0, 3)}****${phone.slice(-4)}`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let code: string | undefined;
      logs.forEach((f, i) => {
        if (!existsSync(f)) return;
        const text = readFileSync(f).subarray(marks[i]).toString('utf8');
        for (const m of text.matchAll(/\[dev SMS\] (\d{3}\*{4}\d{4}) 登录验证码 (\d{6})/g)) if (m[1] === masked) code = m[2];
      });
      if (code) return code;
      if (Date.now() > deadline) throw new Error(`no SMS code for ${masked} in the apis' logs`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The Patroni member holding the leader key, from either node's REST API. */
  async patroniLeader(): Promise<'pg1' | 'pg2' | undefined> {
    for (const port of [this.ports.rest1, this.ports.rest2]) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/cluster`, { signal: AbortSignal.timeout(1500) });
        const body = (await res.json()) as { members: { name: string; role: string; state: string }[] };
        const leader = body.members.find((m) => m.role === 'leader' && m.state === 'running');
        if (leader) return leader.name as 'pg1' | 'pg2';
      } catch {
        // that node is down: ask the other
      }
    }
    return undefined;
  }

  /** Members that stream from the leader. */
  async patroniReplicasStreaming(): Promise<number> {
    for (const port of [this.ports.rest1, this.ports.rest2]) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/cluster`, { signal: AbortSignal.timeout(1500) });
        const body = (await res.json()) as { members: { role: string; state: string }[] };
        return body.members.filter((m) => m.role !== 'leader' && (m.state === 'streaming' || m.state === 'running')).length;
      } catch {
        // ask the other
      }
    }
    return 0;
  }

  /**
   * Whether a replica is the synchronous standby: only then can Patroni fail over without losing a
   * commit (synchronous_mode), so a fault test waits for it before the next fault.
   */
  async patroniSyncStandby(): Promise<boolean> {
    for (const port of [this.ports.rest1, this.ports.rest2]) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/cluster`, { signal: AbortSignal.timeout(1500) });
        const body = (await res.json()) as { members: { role: string; state: string }[] };
        return body.members.some((m) => m.role === 'sync_standby' && ['running', 'streaming'].includes(m.state));
      } catch {
        // ask the other
      }
    }
    return false;
  }

  /** The Redis master the Sentinels name, as a component. */
  async redisMaster(): Promise<'redis1' | 'redis2' | undefined> {
    for (const port of this.ports.sentinels) {
      const sentinel = new IORedis({ port, host: '127.0.0.1', lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
      sentinel.on('error', () => undefined);
      try {
        await sentinel.connect();
        const [, masterPort] = (await sentinel.call('SENTINEL', 'get-master-addr-by-name', 'xinyuan')) as [string, string];
        return Number(masterPort) === this.ports.redis1 ? 'redis1' : Number(masterPort) === this.ports.redis2 ? 'redis2' : undefined;
      } catch {
        // ask the next sentinel
      } finally {
        sentinel.disconnect();
      }
    }
    return undefined;
  }
}
