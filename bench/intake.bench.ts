/**
 * intake: POST /api/v1/orders under load from this (separate) process with autocannon, against the
 * api and a dispatcher consuming the orders, on Postgres and Redis of this machine. Then the same with
 * the dispatcher stopped ("api alone": what the request path itself can take when the dispatcher runs
 * on other cores, as in the HA layout), and, also with the dispatcher stopped, the raw rate of
 * single-row INSERTs into `orders` from a plain pg client at the same concurrency: the ratio compares
 * the api alone with raw inserts alone, the same conditions on both sides.
 *
 *   npm run bench            quick: 10 s per phase
 *   npm run bench -- --full  30 s per phase
 */
import autocannon from 'autocannon';
import { Client, Pool } from 'pg';
import { BENCH_ADMIN_PASSWORD, BENCH_DATABASE_URL, benchLogin, bucketize, freshDatabase, FULL, histogramSvg, machine, percentile, postJson, printTable, registerResident, startApp, writeResult } from './lib/harness';
import { backendCpu, backendCpuBetween, backendCpuOf, cpuSeconds, RssSampler } from './lib/process-stats';

const DURATION_S = FULL ? 30 : 10;
const CONNECTIONS = 32;
const RESIDENTS = 200;
const CENTRE = { lat: 30.63, lng: 119.68 };

async function main() {
  await freshDatabase();
  const api = await startApp('api', 3900);
  const apiRss = new RssSampler(api.child.pid!);
  const dispatcher = await startApp('dispatcher', 3902, { RECONCILE_INTERVAL_MS: '15000' });
  const db = new Client({ connectionString: BENCH_DATABASE_URL });
  await db.connect();
  try {
    const admin = await benchLogin(api.url, '13800000000', BENCH_ADMIN_PASSWORD);
    const t = admin.accessToken;
    const county = await postJson(`${api.url}/api/v1/regions`, {
      name: '基准县', level: 'county',
      boundary: { type: 'Polygon', coordinates: [[[119.4, 30.4], [119.9, 30.4], [119.9, 30.9], [119.4, 30.9], [119.4, 30.4]]] },
    }, t);
    await postJson(`${api.url}/api/v1/services`, { code: 'BENCH_HELP', name: '基准服务', group: '基准', requiredSkills: ['help'], acceptTimeoutSeconds: 3600 }, t);
    for (let i = 0; i < 50; i++) {
      await postJson(`${api.url}/api/v1/teams`, {
        name: `基准队${i}`, regionId: county.id, location: { lat: CENTRE.lat + (i % 10) * 0.01, lng: CENTRE.lng + Math.floor(i / 10) * 0.01 },
        serviceRadiusM: 8000, skills: ['help'], capacity: 1000,
      }, t);
    }
    // many residents, as in life: per-resident rules (the open-order count) must not serialise the run
    const tokens: string[] = [];
    for (let batch = 0; batch < RESIDENTS; batch += 8) {
      const made = await Promise.all(
        Array.from({ length: Math.min(8, RESIDENTS - batch) }, (_, j) =>
          registerResident(api.url, { phone: `1370${String(batch + j).padStart(7, '0')}`, password: 'Bench#2026', name: `居民${batch + j}` }),
        ),
      );
      tokens.push(...made.map((r) => r.accessToken));
    }

    // warm-up, then the measured run
    await runIntake(api.url, tokens, 2);
    const cpuSnapshot = async () => ({
      api: cpuSeconds(api.child.pid!), dispatcher: cpuSeconds(dispatcher.child.pid!),
      postgres: await backendCpu(db), postgresForApi: await backendCpuOf(db, api.child.pid!),
    });
    const measured = async () => {
      const cpuBefore = await cpuSnapshot();
      const run = await runIntake(api.url, tokens, DURATION_S);
      const cpuAfter = await cpuSnapshot();
      const perOrderMs = (seconds: number) => round((seconds * 1000) / Math.max(1, run.rps * DURATION_S), 2);
      const cpu = {
        apiMsPerOrder: perOrderMs(cpuAfter.api - cpuBefore.api),
        dispatcherMsPerOrder: perOrderMs(cpuAfter.dispatcher - cpuBefore.dispatcher),
        postgresMsPerOrder: perOrderMs(backendCpuBetween(cpuBefore.postgres, cpuAfter.postgres)),
        /** The part of it spent by the api's own connections: what the request path costs Postgres. */
        postgresForApiMsPerOrder: perOrderMs(backendCpuBetween(cpuBefore.postgresForApi, cpuAfter.postgresForApi)),
        apiCores: round((cpuAfter.api - cpuBefore.api) / DURATION_S, 2),
        postgresCores: round(backendCpuBetween(cpuBefore.postgres, cpuAfter.postgres) / DURATION_S, 2),
      };
      return { run, cpu };
    };
    const { run: intake, cpu } = await measured();
    const [{ offered }] = (await db.query(`SELECT count(*)::int AS offered FROM orders WHERE status = 'offered'`)).rows;

    // the api alone: the dispatcher stopped (its orders stay waiting; nothing here needs them offered)
    await dispatcher.stop();
    await runIntake(api.url, tokens, 2);
    const { run: alone, cpu: aloneCpu } = await measured();
    const intakeRss = apiRss.stop();

    const residentId = (await postJson(`${api.url}/api/v1/auth/login`, { phone: '13700000000', password: 'Bench#2026' })).user.id;
    const raw = await rawInserts(residentId, DURATION_S);

    const [{ version }] = (await db.query(`SELECT split_part(version(), ' ', 2) AS version`)).rows;

    const m = { ...machine(), postgres: version };
    const ratio = alone.rps / raw.rps;
    const result = {
      name: 'intake',
      at: new Date().toISOString(),
      mode: FULL ? 'full' : 'quick',
      machine: m,
      durationSeconds: DURATION_S,
      connections: CONNECTIONS,
      intake: { ordersPerSecond: round(intake.rps), p50Ms: intake.p50, p99Ms: intake.p99, non2xx: intake.non2xx, errors: intake.errors },
      cpuDuringIntake: cpu,
      /** The same with the dispatcher stopped: the request path alone (dispatcher figures are 0). */
      apiAlone: { ordersPerSecond: round(alone.rps), p50Ms: alone.p50, p99Ms: alone.p99, non2xx: alone.non2xx, errors: alone.errors, cpu: aloneCpu },
      apiRssMb: { peak: intakeRss.peakMb, atEnd: intakeRss.lastMb, limit: 300 },
      rawInsert: { rowsPerSecond: round(raw.rps), p50Ms: raw.p50, p99Ms: raw.p99, postgresMsPerRow: raw.postgresMsPerRow },
      /** api alone / raw INSERT, both with the dispatcher stopped. */
      intakeToRawRatio: round(ratio, 3),
      /** with the dispatcher running / raw INSERT (as reported before 2026-12). */
      intakeWithDispatcherToRawRatio: round(intake.rps / raw.rps, 3),
      ordersOfferedByDispatcherDuringRun: offered,
      targets: { ordersPerSecond: 1000, p99Ms: 100, ratio: 0.4 },
    };
    printTable(`intake (${result.mode}, ${DURATION_S} s, ${CONNECTIONS} connections) on ${m.cores} × ${m.cpu}`, [
      ['POST /orders  orders/s', round(intake.rps)],
      ['POST /orders  p50 ms', intake.p50],
      ['POST /orders  p99 ms', intake.p99],
      ['POST /orders  non-2xx', intake.non2xx],
      ['CPU ms per order: api / dispatcher / Postgres', `${cpu.apiMsPerOrder} / ${cpu.dispatcherMsPerOrder} / ${cpu.postgresMsPerOrder}`],
      ['Postgres CPU ms per order for the api', cpu.postgresForApiMsPerOrder],
      ['offered by the dispatcher meanwhile', offered],
      ['api alone (dispatcher stopped)  orders/s', round(alone.rps)],
      ['api alone  p50 / p99 ms', `${alone.p50} / ${alone.p99}`],
      ['api alone  non-2xx', alone.non2xx],
      ['api alone  CPU ms per order: api / Postgres (api\'s own)', `${aloneCpu.apiMsPerOrder} / ${aloneCpu.postgresMsPerOrder} (${aloneCpu.postgresForApiMsPerOrder})`],
      ['api peak RSS MB (limit 300)', intakeRss.peakMb],
      ['raw INSERT (dispatcher stopped)  rows/s', round(raw.rps)],
      ['raw INSERT    p99 ms', raw.p99],
      ['raw INSERT    Postgres CPU ms per row', raw.postgresMsPerRow],
      ['api alone / raw', `${(ratio * 100).toFixed(1)} %`],
      ['with dispatcher / raw', `${((intake.rps / raw.rps) * 100).toFixed(1)} %`],
    ]);
    writeResult(FULL ? 'intake.full' : 'intake', result, histogramSvg(`POST /api/v1/orders latency, ${round(intake.rps)} orders/s`, bucketize(intake.latencies, 2)));
  } finally {
    apiRss.stop();
    await db.end();
    await dispatcher.stop();
    await api.stop();
  }
}

async function runIntake(url: string, tokens: string[], seconds: number) {
  const latencies: number[] = [];
  let n = 0;
  const result = await autocannon({
    url: `${url}/api/v1/orders`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (req: any) => {
          const i = n++;
          return {
            ...req,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % tokens.length]}` },
            body: JSON.stringify({
              serviceCode: 'BENCH_HELP',
              description: '基准测试订单',
              location: { lat: CENTRE.lat + ((i % 50) - 25) * 0.001, lng: CENTRE.lng + ((i % 37) - 18) * 0.001 },
              address: `基准小区 ${i % 100} 幢`,
            }),
          };
        },
      },
    ],
    setupClient: (client: any) => client.on('response', (_s: number, _b: number, rt: number) => latencies.push(rt)),
  } as any);
  latencies.sort((a, b) => a - b);
  const ok = result['2xx'];
  return {
    rps: ok / seconds,
    p50: round(percentile(latencies, 50), 2),
    p99: round(percentile(latencies, 99), 2),
    non2xx: result.non2xx,
    errors: result.errors,
    latencies,
  };
}

async function rawInserts(residentId: string, seconds: number) {
  const pool = new Pool({ connectionString: BENCH_DATABASE_URL, max: CONNECTIONS });
  const [{ id: serviceId }] = (await pool.query(`SELECT id FROM services WHERE code = 'BENCH_HELP'`)).rows;
  // open every connection first, so that connection start-up is not counted as insert CPU; only
  // these backends count
  const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => pool.connect()));
  const pids: number[] = [];
  for (const c of clients) {
    pids.push((await c.query(`SELECT pg_backend_pid() AS pid`)).rows[0].pid);
    c.release();
  }
  const poolCpu = () => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const before = poolCpu();
  const latencies: number[] = [];
  const deadline = Date.now() + seconds * 1000;
  let i = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < deadline) {
        const k = i++;
        const t0 = performance.now();
        await pool.query(
          `INSERT INTO orders (resident_id, service_id, service_code, description, location, address, contact_phone, status)
           VALUES ($1, $2, 'BENCH_HELP', '基准测试订单', $3::geography, $4, '13700000000', 'cancelled')`,
          [residentId, serviceId, `SRID=4326;POINT(${CENTRE.lng + (k % 37) * 0.001} ${CENTRE.lat + (k % 50) * 0.001})`, `基准小区 ${k % 100} 幢`],
        );
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const postgresMsPerRow = round(((poolCpu() - before) * 1000) / Math.max(1, latencies.length), 2);
  await pool.end();
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / seconds, p50: round(percentile(latencies, 50), 2), p99: round(percentile(latencies, 99), 2), postgresMsPerRow };
}

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
