/**
 * notifications: the outbox → relay → inbox and SMS path, against a fake SMS gateway in this process
 * (the shape of the common Chinese SMS APIs; it answers at once).
 *
 * 1. latency: orders placed at a steady rate (open loop) through POST /api/v1/orders with the api,
 *    one dispatcher and one relay running; for each order, the time from sending the POST to the
 *    offered team's `offer_new` being in the inbox (its row, read back from Postgres on the same
 *    clock) and to its SMS reaching the gateway.
 * 2. throughput: with the relay stopped, N deliveries are written as due; the relay is started and
 *    the time to send them all gives deliveries/s, compared with the raw rate of the same gateway
 *    driven directly with the relay's concurrency (the limit).
 *
 *   node dist/bench/notifications.bench.js      options: --rate <orders/s> (200)  --seconds <s> (10)  --deliveries <n> (4000)
 */
import { createServer, Server } from 'node:http';
import { Client } from 'pg';
import { argValue, cpuShare, cpuSnapshot, nowMs, resetBenchRedis, round, sleep, summarize } from './lib/dispatch-bench';
import { BENCH_ADMIN_PASSWORD, BENCH_DATABASE_URL, benchLogin, bucketize, freshDatabase, histogramSvg, machine, postJson, printTable, registerResident, rememberSmsCode, startApp, writeResult } from './lib/harness';

const RATE = Number(argValue('--rate') ?? 200);
const SECONDS = Number(argValue('--seconds') ?? 10);
const DELIVERIES = Number(argValue('--deliveries') ?? 4000);
const CONCURRENCY = 16;
const TEAMS = 60;
const CENTRE = { lat: 30.6, lng: 119.6 };

/** A gateway that accepts every message at once and remembers when each out-id arrived. */
async function fakeGateway(): Promise<{ url: string; arrived: Map<string, number>; server: Server }> {
  const arrived = new Map<string, number>();
  let seq = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      if (body.outId && !arrived.has(body.outId)) arrived.set(body.outId, nowMs());
      // the admin's sign-in code goes through this gateway too (it replaces the harness's)
      if (body.code && body.phone) rememberSmsCode(body.phone, body.code);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'OK', messageId: `b-${++seq}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/send`, arrived, server };
}

const offsetM = (east: number, north: number) => ({
  lat: CENTRE.lat + north / 111320,
  lng: CENTRE.lng + east / (111320 * Math.cos((CENTRE.lat * Math.PI) / 180)),
});

async function main() {
  console.log(`notifications: ${RATE} orders/s for ${SECONDS} s, then ${DELIVERIES} deliveries through the relay`);
  await freshDatabase();
  await resetBenchRedis();
  const gateway = await fakeGateway();
  const env = {
    SMS_HTTP_URL: gateway.url, NOTIFY_QUIET_HOURS: 'off', NOTIFY_HOURLY_CAP: '1000000', NOTIFY_COALESCE_MS: '0',
    NOTIFY_CONCURRENCY: String(CONCURRENCY), PUBLIC_WEB_URL: 'https://xinyuan.example.gov.cn',
  };
  const db = new Client({ connectionString: BENCH_DATABASE_URL });
  await db.connect();
  const api = await startApp('api', 3920, env);
  const dispatcher = await startApp('dispatcher', 3922, env);
  let relay = await startApp('relay', 3923, env);
  const m = machine();
  m.postgres = (await db.query(`SELECT split_part(version(), ' ', 2) AS v`)).rows[0].v;
  try {
    const admin = (await benchLogin(api.url, '13800000000', BENCH_ADMIN_PASSWORD)).accessToken;
    const box = (half: number) => {
      const sw = offsetM(-half, -half);
      const ne = offsetM(half, half);
      return { type: 'Polygon', coordinates: [[[sw.lng, sw.lat], [ne.lng, sw.lat], [ne.lng, ne.lat], [sw.lng, ne.lat], [sw.lng, sw.lat]]] };
    };
    const county = await postJson(`${api.url}/api/v1/regions`, { name: '基准县', level: 'county', boundary: box(30000) }, admin);
    const station = await postJson(`${api.url}/api/v1/regions`, { name: '基准社区', level: 'village', parentId: county.id, boundary: box(10000) }, admin);
    await postJson(`${api.url}/api/v1/services`, { code: 'BENCH_NOTIFY', name: '代买药品', group: '基准', requiredSkills: ['bench_notify'], acceptTimeoutSeconds: 3600 }, admin);
    for (let i = 0; i < TEAMS; i++) {
      const team = await postJson(`${api.url}/api/v1/teams`, {
        name: `基准队${i}`, regionId: station.id, location: offsetM(((i % 10) - 5) * 1500, (Math.floor(i / 10) - 3) * 1500), serviceRadiusM: 2500,
        skills: ['bench_notify'], capacity: 1000,
      }, admin);
      for (let j = 0; j < 2; j++) {
        await postJson(`${api.url}/api/v1/teams/${team.id}/members`, { phone: `139${String(i * 2 + j).padStart(8, '0')}`, name: `队员${i}-${j}`, password: 'Volunteer#2026', role: j ? 'member' : 'leader' }, admin);
      }
    }
    const residents: string[] = [];
    for (let i = 0; i < 20; i++) {
      residents.push((await registerResident(api.url, { phone: `137${String(i).padStart(8, '0')}`, password: 'Resident#2026', name: `居民${i}` })).accessToken);
    }

    // ---- 1. latency at RATE orders/s
    const sent: { id?: string; sentMs: number }[] = [];
    const cpuA = cpuSnapshot({ api: api.child.pid, dispatcher: dispatcher.child.pid, relay: relay.child.pid });
    const start = nowMs();
    const total = RATE * SECONDS;
    const posts: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - nowMs();
      if (wait > 0) await sleep(wait);
      const entry: { id?: string; sentMs: number } = { sentMs: nowMs() };
      sent.push(entry);
      const where = offsetM(((i * 7919) % 15000) - 7500, ((i * 104729) % 10000) - 5000);
      posts.push(
        fetch(`${api.url}/api/v1/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${residents[i % residents.length]}` },
          body: JSON.stringify({ serviceCode: 'BENCH_NOTIFY', description: '帮忙买药', location: where, address: '基准村' }),
        }).then(async (r) => {
          if (r.ok) entry.id = ((await r.json()) as { id: string }).id;
        }, () => undefined),
      );
    }
    await Promise.all(posts);
    const placed = sent.filter((s) => s.id);
    const deadline = Date.now() + 120_000;
    let inbox: { order_id: string; at: number }[] = [];
    for (;;) {
      const { rows } = await db.query(
        `SELECT order_id, (extract(epoch FROM min(created_at)) * 1000)::float8 AS at FROM notifications
          WHERE type = 'offer_new' AND order_id = ANY($1::uuid[]) GROUP BY order_id`,
        [placed.map((s) => s.id)],
      );
      inbox = rows;
      const offered = (await db.query(`SELECT count(DISTINCT order_id)::int AS n FROM offers WHERE order_id = ANY($1::uuid[])`, [placed.map((s) => s.id)])).rows[0].n;
      const smsOut = (await db.query(
        `SELECT count(*)::int AS n FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
          WHERE n.order_id = ANY($1::uuid[]) AND d.status <> 'sent'`, [placed.map((s) => s.id)])).rows[0].n;
      if ((inbox.length >= offered && smsOut === 0 && offered > 0 && inbox.length > 0) || Date.now() > deadline) break;
      await sleep(500);
    }
    const cpuB = cpuSnapshot({ api: api.child.pid, dispatcher: dispatcher.child.pid, relay: relay.child.pid });
    const sentAt = new Map(placed.map((s) => [s.id!, s.sentMs]));
    const toInbox = inbox.map((r) => r.at - sentAt.get(r.order_id)!);
    const { rows: smsRows } = await db.query(
      `SELECT d.id, n.order_id FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id WHERE n.order_id = ANY($1::uuid[])`,
      [placed.map((s) => s.id)],
    );
    const firstSms = new Map<string, number>();
    for (const r of smsRows) {
      const at = gateway.arrived.get(r.id);
      if (at !== undefined) firstSms.set(r.order_id, Math.min(firstSms.get(r.order_id) ?? Infinity, at));
    }
    const toGateway = [...firstSms].map(([orderId, at]) => at - sentAt.get(orderId)!);
    const latency = {
      ordersSent: total, ordersPlaced: placed.length, offered: inbox.length, smsSent: firstSms.size,
      toInboxMs: summarize(toInbox), toGatewayMs: summarize(toGateway), cores: cpuShare(cpuA, cpuB),
    };

    // ---- 2. relay throughput against the raw gateway
    const rawStart = nowMs();
    let rawDone = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async (_, w) => {
      for (let k = 0; nowMs() - rawStart < 5000; k++) {
        await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: '13900000000', template: 'XY_RAW', params: {}, text: 'x', signName: '心愿', outId: `raw-${w}-${k}` }) });
        rawDone++;
      }
    }));
    const rawRate = rawDone / ((nowMs() - rawStart) / 1000);

    await relay.stop();
    const { rows: members } = await db.query(`SELECT user_id FROM team_members ORDER BY user_id`);
    await db.query(
      `WITH n AS (
         INSERT INTO notifications (dedupe_key, type, recipient_user_id, urgent, lang, title, body, data)
         SELECT 'bench:' || g, 'order_in_service', ($1::uuid[])[1 + g % array_length($1::uuid[], 1)], false, 'zh', '志愿者已到达', '志愿者已到达，开始服务。',
                '{"facts": {"serviceName": "代买药品"}}'::jsonb
           FROM generate_series(1, $2) g RETURNING id, recipient_user_id)
       INSERT INTO notification_deliveries (notification_id, channel, recipient_key, type, due_at)
       SELECT id, 'sms', recipient_user_id::text, 'order_in_service', now() FROM n`,
      [members.map((r) => r.user_id), DELIVERIES],
    );
    const before = gateway.arrived.size;
    const cpuC = cpuSnapshot({});
    const t0 = nowMs();
    relay = await startApp('relay', 3923, env);
    const relayPid = relay.child.pid;
    for (;;) {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM notification_deliveries WHERE type = 'order_in_service' AND status <> 'sent'`);
      if (rows[0].n === 0 || nowMs() - t0 > 300_000) break;
      await sleep(100);
    }
    const seconds = (nowMs() - t0) / 1000;
    const cpuD = cpuSnapshot({ relay: relayPid });
    const relayRate = (gateway.arrived.size - before) / seconds;
    const throughput = {
      deliveries: DELIVERIES, seconds: round(seconds, 2), deliveriesPerSecond: round(relayRate, 0), rawGatewayPerSecond: round(rawRate, 0),
      shareOfRaw: round(relayRate / rawRate, 3), concurrency: CONCURRENCY, cores: cpuShare(cpuC, cpuD),
      doubleSends: (await db.query(`SELECT count(*)::int AS n FROM notification_double_sends`)).rows[0].n,
    };

    printTable('offer placed → offer_new (ms: p50 / p90 / p99 / max)', [
      ['orders placed / offered / texted', `${latency.ordersPlaced} / ${latency.offered} / ${latency.smsSent}`],
      ['to the inbox', `${latency.toInboxMs.p50} / ${latency.toInboxMs.p90} / ${latency.toInboxMs.p99} / ${latency.toInboxMs.max}`],
      ['to the SMS gateway', `${latency.toGatewayMs.p50} / ${latency.toGatewayMs.p90} / ${latency.toGatewayMs.p99} / ${latency.toGatewayMs.max}`],
      ['cores (api, dispatcher, relay, postgres, redis)', JSON.stringify(latency.cores)],
    ]);
    printTable('relay throughput', [
      ['deliveries/s through the relay', throughput.deliveriesPerSecond],
      ['raw gateway, same concurrency', throughput.rawGatewayPerSecond],
      ['share of the raw rate', throughput.shareOfRaw],
      ['double sends', throughput.doubleSends],
    ]);
    const svg = histogramSvg(`order placed → offer_new SMS at the gateway, ${RATE} orders/s`, bucketize(toGateway, Math.max(10, Math.ceil((latency.toGatewayMs.p99 || 100) / 40))));
    writeResult('notifications', { when: new Date().toISOString(), machine: m, rate: RATE, seconds: SECONDS, latency, throughput }, svg);
  } finally {
    await Promise.all([api.stop(), dispatcher.stop(), relay.stop()]);
    await db.end();
    gateway.server.close();
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
