import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { RunningApp, startApp, testEnv } from './support/apps';
import { ROOT, TEST_DATABASE_URL } from './support/env';
import { Http } from './support/http';
import { adminClient, createRegions, createTeam, expectOk, LatLng, offset, registerResident } from './support/world';

/**
 * A single order is dispatched without a transaction or a row lock (`decideWithoutLock`): it is
 * read, its candidates searched, and the offer written by one compare-and-set statement. These cases
 * change the order from ANOTHER connection while the dispatcher is between its read and its write
 * (inside the candidate search), which the row lock used to forbid: the compare-and-set must still
 * decide, so a changed order is never offered, two dispatchers never offer one order twice, and a
 * widening committed meanwhile (which changes the scope, not the version) is not undone.
 *
 * The use case runs from its compiled code in a child process (NestJS is ESM-only; see
 * module-graph.e2e-spec.ts), on the suite's database and Redis, with a candidate finder that does the
 * concurrent change before searching.
 */
function runCases(env: Record<string, string>, orders: { cancelled: string; contested: string; widened: string; plain: string }): Record<string, any> {
  const dist = (p: string) => JSON.stringify(`${ROOT}/dist/libs/${p}`);
  const script = `
    require('reflect-metadata');
    const { DataSource } = require('typeorm');
    const { Client } = require('pg');
    const { loadConfig } = require(${dist('config/src/app-config.js')});
    const { CandidateFinder } = require(${dist('dispatch/src/candidate-finder.js')});
    const { BatchWindows } = require(${dist('dispatch/src/batch-windows.js')});
    const { DispatchOrderUseCase } = require(${dist('dispatch/src/dispatch-order.use-case.js')});
    const { OrderTransitions } = require(${dist('orders/src/order-transitions.js')});
    const { DispatchQueue } = require(${dist('queue/src/dispatch-queue.js')});
    const orders = ${JSON.stringify(orders)};
    const config = loadConfig(process.env);
    const ds = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
    const other = new Client({ connectionString: process.env.DATABASE_URL });
    const queue = new DispatchQueue(config);

    /** A finder that runs \`before(orderId)\` first: the change another process makes meanwhile. */
    class FinderWithInterference extends CandidateFinder {
      constructor(before) { super(config); this.before = before; }
      async find(m, q) { await this.before(q.orderId); return super.find(m, q); }
    }
    const useCase = (before) => new DispatchOrderUseCase(ds, config, new FinderWithInterference(before), new OrderTransitions(), queue, new BatchWindows(config));
    const state = async (id) => ({
      status: (await other.query('SELECT status FROM orders WHERE id = $1', [id])).rows[0].status,
      offers: (await other.query('SELECT count(*)::int AS n FROM offers WHERE order_id = $1', [id])).rows[0].n,
      offerEvents: (await other.query("SELECT count(*)::int AS n FROM order_events WHERE order_id = $1 AND type = 'offer'", [id])).rows[0].n,
    });
    const outcomeOf = (p) => p.then((r) => r.outcome, (e) => 'error: ' + e.message);

    (async () => {
      await ds.initialize();
      await other.connect();
      // a row lock held by the dispatcher would make these changes wait: fail fast instead of hanging
      await other.query("SET lock_timeout = '3s'");
      const out = {};

      // the order is cancelled (its compare-and-set, committed) after the dispatcher read it
      let cancel = null;
      out.cancelled = {
        outcome: await outcomeOf(useCase(async (id) => {
          if (cancel) return;
          cancel = await other.query(
            "UPDATE orders SET status = 'cancelled', version = version + 1 WHERE id = $1 AND status = 'dispatching' RETURNING version", [id],
          ).then((r) => r.rowCount, (e) => 'error: ' + e.message);
        }).execute(orders.cancelled)),
      };
      out.cancelled.cancel = cancel;
      Object.assign(out.cancelled, await state(orders.cancelled));

      // two dispatchers at once: both read the order before either writes (each waits in its search
      // until the other has reached its own, or 3 s)
      let arrived = 0;
      let release;
      const bothThere = new Promise((r) => (release = r));
      const meet = async () => {
        if (++arrived === 2) release();
        await Promise.race([bothThere, new Promise((r) => setTimeout(r, 3000))]);
      };
      const outcomes = await Promise.all([outcomeOf(useCase(meet).execute(orders.contested)), outcomeOf(useCase(meet).execute(orders.contested))]);
      out.contested = { outcomes: outcomes.sort(), met: arrived >= 2, ...(await state(orders.contested)) };

      // widened (the batch's gather does it in a locked transaction of its own: a scope and a 'widen'
      // row, no new version) while the dispatcher searches the scope it read
      const transitions = new OrderTransitions();
      let widen = null;
      const widenedOutcome = await outcomeOf(useCase(async (id) => {
        if (widen) return;
        widen = await ds.transaction(async (m) => {
          await m.query('SELECT 1 FROM orders WHERE id = $1 FOR UPDATE', [id]);
          await transitions.setDispatchScope(m, id, 'station', null);
          await transitions.setDispatchScope(m, id, 'township', 'station', '本站内无人接单，扩大到本镇（街道）');
          return 'ok';
        }).catch((e) => 'error: ' + e.message);
      }).execute(orders.widened));
      out.widened = {
        widen, outcome: widenedOutcome, ...(await state(orders.widened)),
        scope: (await other.query('SELECT dispatch_scope FROM orders WHERE id = $1', [orders.widened])).rows[0].dispatch_scope,
        offerScope: (await other.query("SELECT data->>'scope' AS scope FROM order_events WHERE order_id = $1 AND type = 'offer'", [orders.widened])).rows[0]?.scope ?? null,
      };

      // nothing in the way
      out.plain = { outcome: await outcomeOf(useCase(async () => {}).execute(orders.plain)), ...(await state(orders.plain)) };

      await queue.onModuleDestroy?.();
      await other.end();
      await ds.destroy();
      process.stdout.write(JSON.stringify(out));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60000 }));
}

describe('dispatch of one order without a row lock: the compare-and-set decides', () => {
  const tag = `NL${Date.now() % 100000}`;
  const skill = `errand_${tag.toLowerCase()}`;
  const code = `ERRAND_${tag}`;
  const home: LatLng = { lat: 30.52, lng: 119.61 };
  // no dispatcher runs: the api's dispatch jobs wait in Redis; the cases call the use case themselves
  const env = testEnv(`no-lock-${tag}`, { DISPATCH_BATCH_WINDOW_MS: '0' });
  let api: RunningApp;
  let db: Client;
  let out: Record<string, any>;

  beforeAll(async () => {
    api = await startApp('api', env);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    const http = new Http(api.url);
    const admin = await adminClient(http);
    const stationId = (await createRegions(admin, home, tag)).station.id;
    expectOk(await admin.post('/api/v1/services', { code, name: '跑腿', group: '测试', requiredSkills: [skill], acceptTimeoutSeconds: 3600 }), 201, 'service');
    for (const i of [0, 1]) {
      await createTeam(http, admin, stationId, { name: `跑腿${i}队${tag}`, location: offset(home, 300 + 200 * i, 0), serviceRadiusM: 3000, skills: [skill], capacity: 50 });
    }
    const resident = await registerResident(http, '孙大爷');
    const place = async (i: number) =>
      expectOk(await resident.http.post('/api/v1/orders', { serviceCode: code, description: `代买药品 ${i}`, location: offset(home, 50 * i, 0), address: `测试村 ${i} 号` }), 201, 'place').id as string;
    const orders = { cancelled: await place(0), contested: await place(1), widened: await place(2), plain: await place(3) };
    out = runCases(env, orders);
  }, 120000);

  afterAll(async () => {
    await api?.stop();
    await db?.end();
  });

  it('an order cancelled between the read and the write is not offered, and the cancel did not wait for a lock', () => {
    expect(out.cancelled).toEqual({ cancel: 1, outcome: 'skipped', status: 'cancelled', offers: 0, offerEvents: 0 });
  });

  it('two dispatchers that both read the order before either wrote offer it once: one offers, the other skips', () => {
    expect(out.contested).toEqual({ met: true, outcomes: ['offered', 'skipped'], status: 'offered', offers: 1, offerEvents: 1 });
  });

  it('a widening committed while the dispatcher searched is not undone: the order is offered in the wider scope', () => {
    expect(out.widened).toEqual({ widen: 'ok', outcome: 'offered', status: 'offered', offers: 1, offerEvents: 1, scope: 'township', offerScope: 'township' });
  });

  it('an order nobody else touches is offered once', () => {
    expect(out.plain).toEqual({ outcome: 'offered', status: 'offered', offers: 1, offerEvents: 1 });
  });
});
