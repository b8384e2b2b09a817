/**
 * capacity: what one order costs, measured, for the capacity model in docs/capacity.md.
 * An order's whole life on the platform's side — placed (api), dispatched (dispatcher), offered to
 * a team, accepted, checked in and completed by a volunteer (api) — for N orders, then per order:
 *   - CPU ms of the api process, the dispatcher process, and the Postgres backends serving them
 *     (the pids of this database's connections, read from /proc, so other databases on the same
 *     server do not count);
 *   - bytes on disk: growth of the order tables with their indexes (orders, order_events, offers,
 *     idempotency_keys, open_order_counts), and WAL written (cluster-wide: an upper bound when
 *     other databases write meanwhile).
 *
 *   npm run bench            1,000 orders
 *   npm run bench -- --full  5,000 orders
 */
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { BENCH_ADMIN_PASSWORD, BENCH_DATABASE_URL, benchLogin, freshDatabase, FULL, machine, postJson, printTable, registerResident, startApp, writeResult } from './lib/harness';
import { round, sleep } from './lib/dispatch-bench';

const ORDERS = FULL ? 5000 : 1000;
const CONCURRENCY = 8;
const CENTRE = { lat: 30.63, lng: 119.68 };
const TABLES = ['orders', 'order_events', 'offers', 'idempotency_keys', 'open_order_counts'];

function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

async function snapshot(db: Client, apiPid: number, dispatcherPid: number) {
  const backends = (await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)).rows.map((r) => r.pid as number);
  const [sizes] = (await db.query(`SELECT ${TABLES.map((t) => `pg_total_relation_size('${t}')`).join(' + ')} AS bytes, pg_current_wal_lsn()::text AS lsn`)).rows;
  return {
    api: cpuSeconds(apiPid),
    dispatcher: cpuSeconds(dispatcherPid),
    postgres: Object.fromEntries(backends.map((pid) => [pid, cpuSeconds(pid)])) as Record<string, number>,
    bytes: Number(sizes.bytes),
    lsn: sizes.lsn as string,
  };
}

function postgresCpu(a: Awaited<ReturnType<typeof snapshot>>, b: Awaited<ReturnType<typeof snapshot>>): number {
  return Object.entries(b.postgres).reduce((sum, [pid, s]) => sum + s - (a.postgres[pid] ?? 0), 0);
}

const lsnBytes = (a: string, b: string) => {
  const n = (l: string) => {
    const [hi, lo] = l.split('/');
    return Number((BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`));
  };
  return n(b) - n(a);
};


async function main() {
  await freshDatabase();
  const api = await startApp('api', 3910);
  const dispatcher = await startApp('dispatcher', 3912, { RECONCILE_INTERVAL_MS: '15000' });
  const db = new Client({ connectionString: BENCH_DATABASE_URL });
  await db.connect();
  try {
    const t = (await benchLogin(api.url, '13800000000', BENCH_ADMIN_PASSWORD)).accessToken;
    const county = await postJson(`${api.url}/api/v1/regions`, {
      name: '容量县', level: 'county',
      boundary: { type: 'Polygon', coordinates: [[[119.4, 30.4], [119.9, 30.4], [119.9, 30.9], [119.4, 30.9], [119.4, 30.4]]] },
    }, t);
    await postJson(`${api.url}/api/v1/services`, { code: 'CAPACITY', name: '容量服务', group: '基准', requiredSkills: ['help'], acceptTimeoutSeconds: 3600 }, t);
    const leaders: string[] = [];
    for (let i = 0; i < 20; i++) {
      const team = await postJson(`${api.url}/api/v1/teams`, {
        name: `容量队${i}`, regionId: county.id, location: { lat: CENTRE.lat + (i % 5) * 0.0005, lng: CENTRE.lng + Math.floor(i / 5) * 0.0005 },
        serviceRadiusM: 8000, skills: ['help'], capacity: 1000,
      }, t);
      const phone = `1391000${String(i).padStart(4, '0')}`;
      await postJson(`${api.url}/api/v1/teams/${team.id}/members`, { phone, name: `队长${i}`, password: 'Bench#2026', role: 'leader' }, t);
      leaders.push((await postJson(`${api.url}/api/v1/auth/login`, { phone, password: 'Bench#2026' })).accessToken);
    }
    const residents: string[] = [];
    for (let i = 0; i < 50; i++) {
      residents.push((await registerResident(api.url, { phone: `1371000${String(i).padStart(4, '0')}`, password: 'Bench#2026', name: `居民${i}` })).accessToken);
    }

    // each team's leader polls its offers once a second and accepts them (the volunteer app's loop)
    let accepted = 0;
    let polls = 0;
    let running = true;
    const acceptors = leaders.map(async (token) => {
      while (running) {
        try {
          const list: any = await (await fetch(`${api.url}/api/v1/offers?status=pending&limit=100`, { headers: { authorization: `Bearer ${token}` } })).json();
          polls++;
          await Promise.all((list.items ?? []).map(async (offer: { id: string; orderId: string }) => {
            const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
            const res = await fetch(`${api.url}/api/v1/offers/${offer.id}/accept`, { method: 'POST', headers });
            if (res.status !== 200) return;
            // on site, then done: the team's capacity comes back, as in life
            await fetch(`${api.url}/api/v1/orders/${offer.orderId}/check-in`, { method: 'POST', headers, body: JSON.stringify({ location: CENTRE }) });
            const done = await fetch(`${api.url}/api/v1/orders/${offer.orderId}/complete`, { method: 'POST', headers, body: JSON.stringify({ report: '已完成', minutes: 30 }) });
            if (done.status === 200) accepted++;
          }));
        } catch {
          // a failed poll is tried again
        }
        await sleep(1000);
      }
    });
    // the polls cost the api something with or without orders: measured alone first, then taken out
    await sleep(2000);
    const idleBefore = await snapshot(db, api.child.pid!, dispatcher.child.pid!);
    const idlePolls = polls;
    await sleep(10000);
    const idleAfter = await snapshot(db, api.child.pid!, dispatcher.child.pid!);
    const emptyPolls = Math.max(1, polls - idlePolls);
    const perPollMs = ((idleAfter.api - idleBefore.api) * 1000) / emptyPolls;
    const perPollPgMs = (postgresCpu(idleBefore, idleAfter) * 1000) / emptyPolls;
    const place = async (n: number) => {
      let next = 0;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < n; i = next++) {
          await postJson(`${api.url}/api/v1/orders`, { serviceCode: 'CAPACITY', description: `容量测试 ${i}`, location: CENTRE, address: `容量村 ${i} 号` }, residents[i % residents.length]);
        }
      }));
    };
    const settle = async (total: number) => {
      for (let i = 0; i < 600 && accepted < total; i++) await sleep(200);
    };

    // warm-up (JIT, pools, caches), then the measured orders
    await place(100);
    await settle(100);
    const before = await snapshot(db, api.child.pid!, dispatcher.child.pid!);
    const pollsBefore = polls;
    const started = Date.now();
    await place(ORDERS);
    await settle(100 + ORDERS);
    const seconds = (Date.now() - started) / 1000;
    const after = await snapshot(db, api.child.pid!, dispatcher.child.pid!);
    const pollsDuring = polls - pollsBefore;
    running = false;
    await Promise.all(acceptors);

    const pgCpu = postgresCpu(before, after);
    const perOrder = {
      // placing the order, the volunteer's accept and the offer lists it appears in; the empty polls are taken out
      apiCpuMs: round(((after.api - before.api) * 1000 - pollsDuring * perPollMs) / ORDERS, 2),
      dispatcherCpuMs: round(((after.dispatcher - before.dispatcher) * 1000) / ORDERS, 2),
      postgresCpuMs: round((pgCpu * 1000 - pollsDuring * perPollPgMs) / ORDERS, 2),
      tableBytes: Math.round((after.bytes - before.bytes) / ORDERS),
      walBytesUpperBound: Math.round(lsnBytes(before.lsn, after.lsn) / ORDERS),
    };
    const result = {
      benchmark: 'capacity', machine: machine(), at: new Date().toISOString(), orders: ORDERS, concurrency: CONCURRENCY,
      wallSeconds: round(seconds, 1), accepted: accepted - 100, perOrder,
      emptyOfferPoll: { apiCpuMs: round(perPollMs, 2), postgresCpuMs: round(perPollPgMs, 2) }, pollsDuring,
    };
    printTable(`capacity: ${ORDERS} orders placed, dispatched, accepted and completed in ${round(seconds, 1)} s`, [
      ['api CPU per order', `${perOrder.apiCpuMs} ms (${pollsDuring} offer polls at ${round(perPollMs, 2)} ms taken out)`],
      ['dispatcher CPU per order', `${perOrder.dispatcherCpuMs} ms`],
      ['Postgres CPU per order (its backends)', `${perOrder.postgresCpuMs} ms`],
      ['one empty offer poll: api / Postgres', `${round(perPollMs, 2)} / ${round(perPollPgMs, 2)} ms`],
      ['table + index bytes per order', `${perOrder.tableBytes} B`],
      ['WAL bytes per order (upper bound)', `${perOrder.walBytesUpperBound} B`],
    ]);
    writeResult(FULL ? 'capacity.full' : 'capacity', result);
  } finally {
    await db.end();
    await Promise.all([api.stop(), dispatcher.stop()]);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
