import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ADMIN, ROOT, TEST_DATABASE_URL, TEST_REDIS_URL } from './env';

export type AppName = 'api' | 'dispatcher' | 'rating' | 'relay';

export interface RunningApp {
  name: AppName;
  url: string;
  process: ChildProcess;
  output: string[];
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * Every app this test file started, so that helpers holding only an HTTP client (registerResident)
 * can read what the development SMS sender wrote to an api's output.
 */
export const STARTED_APPS: RunningApp[] = [];

/** Env every app of one test file shares: the test database, a Redis db of its own, fast timers. */
export function testEnv(queuePrefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: queuePrefix,
    JWT_SECRET: 'xinyuan-test-secret-0123456789',
    ADMIN_PHONE: ADMIN.phone,
    ADMIN_PASSWORD: ADMIN.password,
    RECONCILE_INTERVAL_MS: '1000',
    RECONCILE_STUCK_AFTER_MS: '1500',
    WORKER_LOCK_MS: '2000',
    DB_POOL_SIZE: '5',
    ACCEPT_TIMEOUT_MIN_SECONDS: '1',
    // generous: only the rate-limit tests set low limits (and their own key prefix)
    RATE_LIMIT_PER_IP: '10000000',
    RATE_LIMIT_PER_USER: '10000000',
    RATE_LIMIT_AUTH_PER_IP: '10000000',
    // several suites place dozens of orders from one resident; the cap has its own suite (open-order-cap)
    OPEN_ORDER_LIMIT: '1000',
    // every resident registers with an SMS code, many from 127.0.0.1 in one suite; the caps have their own tests
    SMS_SEND_PER_IP_PER_MINUTE: '100000',
    SMS_SEND_PER_PREFIX_PER_MINUTE: '100000',
    SMS_SEND_GLOBAL_PER_MINUTE: '100000',
    ...extra,
  };
}

/** The V8 flags every launcher starts the apps with (Dockerfile, scripts/up.sh, npm run start:*): tests run what ships. */
const LAUNCH_FLAGS = ['--max-semi-space-size=8', '--max-old-space-size=1536'];

/** Starts the compiled app as its own process and waits until /health answers. */
export async function startApp(name: AppName, env: Record<string, string>, fixedPort?: number): Promise<RunningApp> {
  const port = fixedPort ?? (await freePort());
  const child = spawn(process.execPath, [...LAUNCH_FLAGS, join(ROOT, `dist/apps/${name}/src/main.js`)], {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (d) => output.push(String(d)));
  child.stderr!.on('data', (d) => output.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  // generous: on a loaded 2-core machine three Nest apps can take a while to boot
  const deadline = Date.now() + Number(process.env.APP_START_TIMEOUT_MS ?? 90000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output.join('')}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not become healthy:\n${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const app: RunningApp = {
    name,
    url,
    process: child,
    output,
    stop: (signal: NodeJS.Signals = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill(signal);
      }),
  };
  STARTED_APPS.push(app);
  return app;
}

export interface Platform {
  api: RunningApp;
  dispatcher: RunningApp;
  rating: RunningApp;
  /** The notification relay; absent when started with `{ relay: false }`. */
  relay?: RunningApp;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** The four apps (api, dispatcher, rating, relay); `relay: false` leaves the notification relay out. */
export async function startPlatform(queuePrefix: string, extra: Record<string, string> = {}, opts: { relay?: boolean } = {}): Promise<Platform> {
  const env = testEnv(queuePrefix, extra);
  const started = await Promise.allSettled([
    startApp('api', env), startApp('dispatcher', env), startApp('rating', env), ...(opts.relay === false ? [] : [startApp('relay', env)]),
  ]);
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    // leave no orphan behind: it would keep working on this run's database and Redis
    await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop('SIGKILL') : undefined)));
    throw failed.reason;
  }
  const [api, dispatcher, rating, relay] = started.map((r) => (r as PromiseFulfilledResult<RunningApp>).value);
  return {
    api,
    dispatcher,
    rating,
    relay,
    env,
    stop: async () => {
      await Promise.all([api.stop(), dispatcher.stop(), rating.stop(), relay?.stop()]);
    },
  };
}
