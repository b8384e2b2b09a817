import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { ALL_FAULTS, formatReport, runChaos } from '../bench/chaos/chaos';
import { HaLayout } from '../bench/chaos/ha-layout';
import { Http, until } from './support/http';
import { createRegions, createService, createTeam, login, offset, randomPhone } from './support/world';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The highly available layout of scripts/ha.sh, started for this file alone (its own state
 * directory, ports +10000, its own network namespace), on real engines: Patroni + etcd, HAProxy,
 * PgBouncer, Redis + three Sentinels, two apis, three dispatchers, rating, Prometheus.
 *
 * - failover: the api keeps answering across a Patroni failover and a Sentinel failover (503 with
 *   Retry-After during the switch, then 2xx), and no order is lost or doubled;
 * - the chaos suite's short form: one fault of each kind under a small load, every invariant;
 * - the restore drill: a base backup plus the WAL archive restored into a scratch cluster has the
 *   primary's row counts and newest order;
 * - operations: metrics only with the token and never through HAProxy, a request's correlation id
 *   in the dispatcher's job logs, and no phone number or address in any log line of the run.
 */
const ADMIN_PASSWORD = 'Admin#HaTest2026';
const layout = new HaLayout({
  dir: '/tmp/xinyuan-ha-test',
  portOffset: 10000,
  net: 232,
  queuePrefix: 'hatest',
  appEnv: {
    ADMIN_PASSWORD,
    LOG_LEVEL: 'info',
    RATE_LIMIT_PER_IP: '10000000',
    RATE_LIMIT_PER_USER: '10000000',
    RATE_LIMIT_AUTH_PER_IP: '10000000',
    OPEN_ORDER_LIMIT: '0',
    RECONCILE_INTERVAL_MS: '1000',
    RECONCILE_STUCK_AFTER_MS: '3000',
    WORKER_LOCK_MS: '5000',
    ACCEPT_TIMEOUT_MIN_SECONDS: '1',
    NOTIFY_QUIET_HOURS: 'off',
    SMS_SEND_PER_IP_PER_MINUTE: '100000',
    SMS_SEND_PER_PREFIX_PER_MINUTE: '100000',
    SMS_SEND_GLOBAL_PER_MINUTE: '100000',
  },
});

const api = new Http(layout.apiUrl);
const phonesUsed: string[] = [];
const ADDRESS = `高可用测试村 ${randomUUID().slice(0, 6)} 号`;

let primary: Client;
const query = async (sql: string, params: unknown[] = []) => {
  for (let i = 0; ; i++) {
    try {
      return (await primary.query(sql, params)).rows;
    } catch (e) {
      if (i > 40) throw e;
      await primary.end().catch(() => undefined);
      await sleep(500);
      primary = new Client({ connectionString: layout.primaryUrl });
      primary.on('error', () => undefined);
      await primary.connect().catch(() => undefined);
    }
  }
};

beforeAll(async () => {
  await layout.destroy().catch(() => undefined);
  await layout.up();
  primary = new Client({ connectionString: layout.primaryUrl });
  // the primary is killed on purpose below: its connection errors are expected and retried
  primary.on('error', () => undefined);
  await primary.connect();
}, 600000);

afterAll(async () => {
  await primary?.end().catch(() => undefined);
  if (process.env.KEEP_HA !== '1') await layout.destroy();
}, 180000);

/** A world of one station, one service, two teams whose leaders accept what they get. */
let worlds = 0;
async function world(tag: string) {
  const admin = await login(api, '13800000000', ADMIN_PASSWORD);
  // each world far from the others (and from the chaos run's), so only its own regions cover its orders
  worlds++;
  // a degree apart: the 80 km county squares never overlap (sibling counties may not)
  const home = { lat: 36 + worlds * 1.0, lng: 112 + worlds * 1.0 };
  const { station } = await createRegions(admin, home, tag);
  const skill = `ha_${tag.toLowerCase()}`;
  await createService(admin, `HA_${tag}`, [skill], 600);
  const teams = [];
  for (let i = 0; i < 2; i++) {
    teams.push(await createTeam(api, admin, station.id, { name: `高可用队${tag}-${i}`, location: offset(home, 200 * i, 0), serviceRadiusM: 5000, skills: [skill], capacity: 1000 }));
  }
  const phone = randomPhone('137');
  phonesUsed.push(phone, ...teams.flatMap((t) => t.members.map((m) => m.phone)));
  const smsCode = await layout.smsCode(phone, async () => {
    expect((await api.post('/api/v1/auth/sms/send', { phone })).status).toBe(200);
  });
  const reg = await api.post('/api/v1/auth/register', { phone, password: 'Resident#2026', name: '高可用居民', smsCode });
  expect(reg.status).toBe(201);
  return { resident: api.as(reg.body.accessToken), serviceCode: `HA_${tag}`, home, teams };
}

interface Probe {
  key: string;
  statuses: number[];
  retryAfter: (string | null)[];
  orderId?: string;
}

/**
 * Places an order every 150 ms through HAProxy until stopped; each one is retried with its own
 * Idempotency-Key until it gets 201, as a client that honours Retry-After would.
 */
function probeOrders(w: Awaited<ReturnType<typeof world>>, description: string) {
  const probes: Probe[] = [];
  let running = true;
  const pending = new Set<Promise<void>>();
  const one = async (probe: Probe) => {
    const deadline = Date.now() + 90000;
    while (Date.now() < deadline) {
      let status = 0;
      let retryAfter: string | null = null;
      try {
        const res = await fetch(`${layout.apiUrl}/api/v1/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${w.resident.token}`, 'Idempotency-Key': probe.key },
          body: JSON.stringify({ serviceCode: w.serviceCode, description, location: w.home, address: ADDRESS }),
          signal: AbortSignal.timeout(15000),
        });
        status = res.status;
        retryAfter = res.headers.get('retry-after');
        const body: any = await res.json().catch(() => undefined);
        if (status === 201 || status === 200) probe.orderId = body.id;
      } catch {
        status = 0;
      }
      probe.statuses.push(status);
      probe.retryAfter.push(retryAfter);
      if (probe.orderId) return;
      await sleep(Math.min(3000, (Number(retryAfter) || 0.5) * 1000));
    }
  };
  const loop = (async () => {
    while (running) {
      const probe: Probe = { key: randomUUID(), statuses: [], retryAfter: [] };
      probes.push(probe);
      const p = one(probe).finally(() => pending.delete(p));
      pending.add(p);
      await sleep(150);
    }
  })();
  return {
    probes,
    /** The number of probes answered 2xx since `since` (index into probes). */
    succeededSince: (since: number) => probes.slice(since).filter((p) => p.orderId).length,
    stop: async () => {
      running = false;
      await loop;
      await Promise.allSettled([...pending]);
    },
  };
}

async function expectNothingLostOrDoubled(probes: Probe[], description: string) {
  const answered = probes.filter((p) => p.orderId).map((p) => p.orderId!);
  expect(answered.length).toBe(probes.length);
  const rows = await query(`SELECT id FROM orders WHERE description = $1`, [description]);
  // one order per client request: none lost, none doubled
  expect(rows.length).toBe(probes.length);
  expect(new Set(rows.map((r) => r.id))).toEqual(new Set(answered));
  // and every one is dispatched: offered or accepted, never stuck
  await until('every probe order dispatched', async () => {
    const [r] = await query(`SELECT count(*)::int AS n FROM orders WHERE description = $1 AND status NOT IN ('offered', 'accepted')`, [description]);
    return r.n === 0;
  }, 60000);
}

function expectOnlyCleanRefusals(probes: Probe[]) {
  for (const p of probes) {
    p.statuses.forEach((status, i) => {
      if (status === 201 || status === 200) return;
      // during the switch: 503 with Retry-After (from the api, or from HAProxy while no api is ready)
      expect({ status, retryAfter: p.retryAfter[i] }).toEqual({ status: 503, retryAfter: expect.stringMatching(/^[1-9]\d*$/) });
    });
  }
}

describe('HA layout on real engines', () => {
  it('api keeps answering across a Patroni failover: 503 with Retry-After during the switch, then 2xx; no order lost or doubled', async () => {
    const w = await world(`P${Date.now() % 100000}`);
    const description = `patroni-failover-${randomUUID()}`;
    const before = await layout.patroniLeader();
    expect(before).toBeDefined();
    const load = probeOrders(w, description);
    await sleep(2000);
    const at = load.probes.length;
    await layout.crash(before!);
    await until('another Patroni leader', async () => {
      const l = await layout.patroniLeader();
      return l !== undefined && l !== before;
    }, 60000);
    await until('orders answered 2xx again', async () => load.succeededSince(at) >= 5, 60000);
    await sleep(1500);
    await load.stop();
    await layout.start(before!);

    const statuses = load.probes.flatMap((p) => p.statuses);
    expect(statuses).toContain(503); // the switch was seen, and answered cleanly
    expectOnlyCleanRefusals(load.probes);
    await expectNothingLostOrDoubled(load.probes, description);
    // with synchronous replication the next failover needs a synchronous standby again
    await until('the old primary is the synchronous standby again', () => layout.patroniSyncStandby(), 120000);
  }, 300000);

  it('api keeps answering across a Sentinel failover; no order lost or doubled, every one dispatched', async () => {
    const w = await world(`S${Date.now() % 100000}`);
    const description = `sentinel-failover-${randomUUID()}`;
    const before = await layout.redisMaster();
    expect(before).toBeDefined();
    const load = probeOrders(w, description);
    await sleep(2000);
    const at = load.probes.length;
    await layout.crash(before!);
    await until('the Sentinels promote the replica', async () => {
      const m = await layout.redisMaster();
      return m !== undefined && m !== before;
    }, 60000);
    await until('orders answered 2xx again', async () => load.succeededSince(at) >= 5, 60000);
    await sleep(1500);
    await load.stop();
    await layout.start(before!);

    expectOnlyCleanRefusals(load.probes);
    await expectNothingLostOrDoubled(load.probes, description);
  }, 300000);

  it('chaos, short form: one fault of each kind under load; nothing lost, doubled or stuck', async () => {
    const report = await runChaos({
      layout,
      adminPhone: '13800000000',
      adminPassword: ADMIN_PASSWORD,
      faults: ALL_FAULTS,
      ordersPerSecond: 3,
      calmSeconds: 3,
      isolateSeconds: 30,
      recoveryTimeoutSeconds: 90,
      log: () => undefined,
    });
    console.log(formatReport(report));
    expect(report.faults.map((f) => f.fault)).toEqual(ALL_FAULTS);
    for (const f of report.faults) expect(f.recoverySeconds).toBeLessThan(90);
    expect(report.placed).toBeGreaterThan(50);
    expect(report.gaveUp).toBe(0);
    expect(report.invariants).toEqual({
      lost: [], doubled: [], stuck: [], twoPendingOffers: [], overCapacity: [], acceptEventsWrong: [], notificationsDoubled: [], notificationsTwicePerChannel: [],
    });
    expect(report.accepted).toBeGreaterThan(0);
    // the relay was killed under load and still delivered (the invariants above say: never twice)
    expect(report.notificationsSent).toBeGreaterThan(0);
  }, 900000);

  it('restore drill: a base backup and the WAL archive, restored into a scratch cluster, hold every row and the newest order', async () => {
    const dir = layout.options.dir;
    const stamp = Date.now();
    const backup = join(dir, 'backups', `base-${stamp}`);
    // 1. a base backup of the current primary, with the engines' own tool
    await run('runuser', ['-u', 'postgres', '--', 'pg_basebackup', '-h', '127.0.0.1', '-p', String(layout.ports.pgPrimary), '-U', 'postgres',
      '-D', backup, '-X', 'stream', '-c', 'fast', '--no-password'], { timeout: 120000 });
    // 2. more orders after the backup: they exist only in the WAL archive
    const w = await world(`B${stamp % 100000}`);
    for (let i = 0; i < 5; i++) {
      const res = await w.resident.post('/api/v1/orders', { serviceCode: w.serviceCode, description: `after-backup-${stamp}-${i}`, location: w.home, address: ADDRESS });
      expect(res.status).toBe(201);
    }
    const counts = async (c: { query: (s: string) => Promise<{ rows: any[] }> }) => {
      const { rows } = await c.query(
        `SELECT (SELECT count(*) FROM orders)::int AS orders, (SELECT count(*) FROM users)::int AS users,
                (SELECT count(*) FROM teams)::int AS teams, (SELECT count(*) FROM regions)::int AS regions,
                (SELECT id FROM orders ORDER BY created_at DESC, id DESC LIMIT 1) AS newest`,
      );
      return rows[0];
    };
    const expected = await counts({ query: async (sql: string) => ({ rows: await query(sql) }) });
    expect(expected.newest).toBeDefined();
    // 3. close the WAL segment holding them and wait until it is archived
    const [{ walfile }] = await query(`SELECT pg_walfile_name(pg_current_wal_lsn()) AS walfile`);
    await query(`SELECT pg_switch_wal()`);
    await until('segment archived', async () => existsSync(join(dir, 'wal-archive', walfile)), 60000);

    // 4. restore into a scratch cluster: the backup, then every archived segment, then promote
    const scratch = join(dir, 'backups', `restore-${stamp}`);
    const port = layout.ports.pgPrimary + 40;
    cpSync(backup, scratch, { recursive: true });
    rmSync(join(scratch, 'standby.signal'), { force: true });
    writeFileSync(join(scratch, 'recovery.signal'), '');
    await run('chown', ['-R', 'postgres:postgres', scratch]);
    await run('chmod', ['700', scratch]);
    const pgctl = `/usr/lib/postgresql/${readFileSync(join(scratch, 'PG_VERSION'), 'utf8').trim()}/bin/pg_ctl`;
    const settings = [`-c port=${port}`, '-c listen_addresses=127.0.0.1', `-c unix_socket_directories=${scratch}`, '-c archive_mode=off',
      "-c primary_conninfo=''", `-c restore_command='cp ${join(dir, 'wal-archive')}/%f %p'`, "-c recovery_target_timeline=latest",
      '-c hot_standby=on', '-c shared_buffers=32MB'].join(' ');
    await run('runuser', ['-u', 'postgres', '--', pgctl, '-D', scratch, '-o', settings, '-l', join(dir, 'log', `restore-${stamp}.log`), '-w', '-t', '120', 'start'], { timeout: 150000 });
    const restored = new Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/xinyuan` });
    restored.on('error', () => undefined);
    try {
      await restored.connect();
      await until('the scratch cluster promoted at the end of the archive', async () => {
        const { rows } = await restored.query(`SELECT pg_is_in_recovery() AS r`);
        return rows[0].r === false;
      }, 120000);
      expect(await counts(restored)).toEqual(expected);
    } finally {
      await restored.end().catch(() => undefined);
      await run('runuser', ['-u', 'postgres', '--', pgctl, '-D', scratch, '-m', 'immediate', 'stop']).catch(() => undefined);
      rmSync(scratch, { recursive: true, force: true });
      rmSync(backup, { recursive: true, force: true });
    }
  }, 400000);

  it('operations: metrics for the token only and never through HAProxy; correlation ids reach the job logs; no phone or address in any log line', async () => {
    const token = readFileSync(join(layout.options.dir, 'conf', 'metrics-token'), 'utf8').trim();
    const apiMetrics = await fetch(`http://127.0.0.1:${layout.ports.api1}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(apiMetrics.status).toBe(200);
    const text = await apiMetrics.text();
    expect(text).toMatch(/xinyuan_http_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/orders"/);
    expect(text).toMatch(/xinyuan_db_pool_connections\{[^}]*pool="primary"/);
    expect(text).toMatch(/xinyuan_queue_jobs\{[^}]*queue="dispatch"/);
    expect(text).toMatch(/xinyuan_offers_total\{[^}]*event="accepted"/);
    const dispatcherMetrics = await (await fetch(`http://127.0.0.1:${layout.ports.dispatcher1}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
    expect(dispatcherMetrics).toMatch(/xinyuan_offers_total\{[^}]*event="made"/);
    expect(dispatcherMetrics).toMatch(/xinyuan_job_duration_seconds_bucket\{[^}]*job="dispatch-order"/);
    // every metric family the Grafana dashboard draws exists (a renamed metric breaks this, not the dashboard)
    const ratingMetrics = await (await fetch(`http://127.0.0.1:${layout.ports.rating}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
    const relayMetrics = await (await fetch(`http://127.0.0.1:${layout.ports.relay}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
    expect(relayMetrics).toMatch(/xinyuan_outbox_pending\{[^}]*consumer="notifications"/);
    const dashboard = JSON.parse(readFileSync(join(__dirname, '../deploy/grafana/xinyuan-dashboard.json'), 'utf8'));
    const families = new Set<string>(
      dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.flatMap((t) => t.expr.match(/xinyuan_[a-z0-9_]+/g) ?? [])),
    );
    expect(families.size).toBeGreaterThan(8);
    for (const family of families) {
      const base = family.replace(/_(bucket|count|sum)$/, '');
      expect({ family, present: [text, dispatcherMetrics, ratingMetrics, relayMetrics].some((m) => m.includes(`# TYPE ${base} `)) }).toEqual({ family, present: true });
    }
    // without the token, even from loopback: 404; through the balancer: 404
    expect((await fetch(`http://127.0.0.1:${layout.ports.api1}/metrics`)).status).toBe(404);
    expect((await fetch(`${layout.apiUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    // Prometheus scrapes every app
    await until('Prometheus sees every app up', async () => {
      const res = await fetch(`http://127.0.0.1:${layout.ports.prometheus}/api/v1/targets`).catch(() => undefined);
      const body = res?.ok ? ((await res.json()) as { data: { activeTargets: { labels: { job: string }; health: string }[] } }) : undefined;
      const apps = body?.data.activeTargets.filter((t) => t.labels.job === 'xinyuan') ?? [];
      return apps.length === 7 && apps.every((t) => t.health === 'up');
    }, 60000);

    // one request's id, followed into the dispatcher that offered its order
    const w = await world(`L${Date.now() % 100000}`);
    const correlationId = `ha-corr-${randomUUID().slice(0, 8)}`;
    const placed = await w.resident.post('/api/v1/orders', { serviceCode: w.serviceCode, description: '帮忙买药', location: w.home, address: ADDRESS }, { 'X-Request-Id': correlationId });
    expect(placed.status).toBe(201);
    expect(placed.headers.get('x-request-id')).toBe(correlationId);
    await until('offered', async () => (await query(`SELECT status FROM orders WHERE id = $1`, [placed.body.id]))[0]?.status === 'offered', 30000);
    const logs = () => readdirSync(layout.logDir).filter((f) => /^(api|dispatcher|rating|relay)\d?\.log$/.test(f)).map((f) => readFileSync(join(layout.logDir, f), 'utf8')).join('\n');
    await until('the job log line of that order carries the request id', async () => {
      const lines = logs().split('\n').filter((l) => l.includes(correlationId));
      return lines.some((l) => JSON.parse(l).app === 'dispatcher' && l.includes(`dispatch-${placed.body.id}`)) && lines.some((l) => JSON.parse(l).app === 'api');
    }, 20000);

    // every line is JSON, and none carries a phone number or an address of this run
    const all = logs().split('\n').filter(Boolean);
    expect(all.length).toBeGreaterThan(100);
    const notJson = all.filter((l) => {
      try {
        JSON.parse(l);
        return false;
      } catch {
        return true;
      }
    });
    expect(notJson.filter((l) => !l.startsWith(' ') && !l.startsWith('}') && !l.startsWith('Error'))).toEqual([]);
    for (const phone of phonesUsed) expect(all.filter((l) => l.includes(phone))).toEqual([]);
    expect(all.filter((l) => l.includes(ADDRESS) || l.includes('高可用测试村') || l.includes('混沌村'))).toEqual([]);
  }, 180000);
});
