import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

export const ROOT = resolve(__dirname, '../../..');
export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/xinyuan_bench';
export const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/9';
export const FULL = process.argv.includes('--full');
/**
 * The bench apps' secrets, fresh for every run: the apps run in production mode, which refuses any
 * secret published in the repository. The benchmarks that write users' phones directly use the PII key too.
 */
export const BENCH_PII_KEY = process.env.BENCH_PII_KEY ?? randomBytes(32).toString('hex');
const BENCH_JWT_SECRET = randomBytes(32).toString('hex');
export const BENCH_ADMIN_PASSWORD = `Bench-${randomBytes(12).toString('base64url')}`;

/**
 * The SMS gateway of the bench apps (in this process): production needs an http gateway, staff sign in
 * with password + SMS code and residents register with a code; the codes sent are kept here.
 */
const codes = new Map<string, string>();
let gateway: Promise<string> | undefined;
function smsGateway(): Promise<string> {
  gateway ??= new Promise((resolveUrl) => {
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c as Buffer));
      req.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (body.code) codes.set(body.phone, body.code);
        } catch {
          // not JSON: ignored
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"code":"OK"}');
      });
    });
    server.listen(0, '127.0.0.1', () => resolveUrl(`http://127.0.0.1:${(server.address() as { port: number }).port}/sms`));
    server.unref();
  });
  return gateway;
}

/** A benchmark with its own SMS gateway hands the sign-in codes it receives to `benchLogin`. */
export function rememberSmsCode(phone: string, code: string): void {
  codes.set(phone, code);
}

async function codeFor(phone: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const code = codes.get(phone);
    if (code) {
      codes.delete(phone);
      return code;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no SMS code for ${phone}`);
}

/** Password login; staff answer the second factor with the code the bench gateway received. */
export async function benchLogin(api: string, phone: string, password: string): Promise<any> {
  const res = await fetch(`${api}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone, password }) });
  const body = (await res.json()) as { code?: string };
  if (res.ok) return body;
  if (body.code !== 'SECOND_FACTOR_REQUIRED') throw new Error(`login ${phone}: ${res.status} ${JSON.stringify(body)}`);
  return postJson(`${api}/api/v1/auth/login`, { phone, password, smsCode: await codeFor(phone) });
}

/** Registers a resident the way people do: a code to the phone, then the registration with it. */
export async function registerResident(api: string, body: { phone: string; password: string; name: string }): Promise<any> {
  await postJson(`${api}/api/v1/auth/sms/send`, { phone: body.phone });
  return postJson(`${api}/api/v1/auth/register`, { ...body, smsCode: await codeFor(body.phone) });
}

export function machine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres: '',
  };
}

export async function freshDatabase(): Promise<void> {
  const url = new URL(BENCH_DATABASE_URL);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const c = new Client({ connectionString: url.toString() });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await c.end();
  execFileSync(process.execPath, [join(ROOT, 'dist/libs/database/src/cli/migrate.js')], {
    env: { ...process.env, DATABASE_URL: BENCH_DATABASE_URL },
    stdio: 'inherit',
  });
}

export interface App {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startApp(name: 'api' | 'dispatcher' | 'rating' | 'relay', port: number, env: Record<string, string> = {}): Promise<App> {
  const smsUrl = await smsGateway();
  // the flags every launcher gives the apps (Dockerfile, scripts/up.sh, scripts/ha.sh, package.json);
  // BENCH_NODE_FLAGS adds more, to compare V8 flags on the same build
  const child = spawn(process.execPath, ['--max-semi-space-size=8', '--max-old-space-size=1536', ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), ...(process.env.PROFILE_APP === name ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []), join(ROOT, `dist/apps/${name}/src/main.js`)], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      JWT_SECRET: BENCH_JWT_SECRET,
      DATABASE_URL: BENCH_DATABASE_URL,
      REDIS_URL: BENCH_REDIS_URL,
      QUEUE_PREFIX: 'bench',
      ADMIN_PHONE: '13800000000',
      ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD,
      // production mode refuses the development PII key and the log SMS sender
      PII_ENCRYPTION_KEY: BENCH_PII_KEY,
      SMS_PROVIDER: 'http',
      SMS_HTTP_URL: smsUrl,
      STAFF_SECOND_FACTOR: 'sms',
      SMS_SEND_PER_IP_PER_MINUTE: '100000000',
      SMS_SEND_PER_PREFIX_PER_MINUTE: '100000000',
      SMS_SEND_GLOBAL_PER_MINUTE: '100000000',
      OTP_DAILY_LIMIT: '1000',
      // the intake benchmark places thousands of orders from one resident
      OPEN_ORDER_LIMIT: '0',
      PORT: String(port),
      HOST: '127.0.0.1',
      // the load generator is a handful of users on one address: limits must not shape the figures
      RATE_LIMIT_PER_IP: '100000000',
      RATE_LIMIT_PER_USER: '100000000',
      RATE_LIMIT_AUTH_PER_IP: '100000000',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

export async function postJson(url: string, body: unknown, token?: string): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

export function printTable(title: string, rows: [string, string | number][]): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\n${title}`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
}

/** A histogram of latencies as a standalone SVG. `buckets` are [upperBoundMs, count]. */
export function histogramSvg(title: string, buckets: [number, number][]): string {
  const w = 640;
  const h = 320;
  const pad = 48;
  const max = Math.max(1, ...buckets.map(([, c]) => c));
  const bw = (w - 2 * pad) / Math.max(1, buckets.length);
  const bars = buckets
    .map(([ub, c], i) => {
      const bh = ((h - 2 * pad) * c) / max;
      const x = pad + i * bw;
      const y = h - pad - bh;
      const label = i % Math.ceil(buckets.length / 10) === 0 ? `<text x="${x}" y="${h - pad + 14}" font-size="10">${ub}</text>` : '';
      return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${bh.toFixed(1)}" fill="#c0392b"/>${label}`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${pad}" y="24" font-size="14">${title}</text>
<text x="${w / 2}" y="${h - 8}" font-size="11" text-anchor="middle">latency (ms, bucket upper bound)</text>
<text x="12" y="${h / 2}" font-size="11" transform="rotate(-90 12 ${h / 2})">requests</text>
<line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="black"/>
${bars}
</svg>
`;
}

export function bucketize(latenciesMs: number[], bucketMs: number, maxBuckets = 60): [number, number][] {
  const out = new Map<number, number>();
  for (const l of latenciesMs) {
    const b = Math.min(maxBuckets, Math.ceil(l / bucketMs)) * bucketMs;
    out.set(b, (out.get(b) ?? 0) + 1);
  }
  return [...out.entries()].sort((a, b) => a[0] - b[0]);
}

export function writeResult(name: string, result: unknown, svg?: string): void {
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(result, null, 2) + '\n');
  if (svg) writeFileSync(join(dir, `${name}.svg`), svg);
  console.log(`\nwrote bench/results/${name}.json${svg ? ` and ${name}.svg` : ''}`);
}
