import { execFileSync } from 'node:child_process';
import { ROOT, TEST_DATABASE_URL } from './support/env';

/**
 * `OrderTransitions.applyWithOffers` (the offers, the order's compare-and-set and its timeline row in
 * one statement) on the real database, through its compiled code in a child process (NestJS is
 * ESM-only: Jest's module loader cannot load it; see module-graph.e2e-spec.ts). Every case runs on
 * fixtures of its own in a transaction that is rolled back, and reports what the transaction then
 * holds: what a failed call leaves behind, not only what it throws.
 */
function runCases(): Record<string, any> {
  const script = `
    require('reflect-metadata');
    const { DataSource } = require('typeorm');
    const { OrderTransitions } = require(${JSON.stringify(`${ROOT}/dist/libs/orders/src/order-transitions.js`)});
    const { SYSTEM_ACTOR } = require(${JSON.stringify(`${ROOT}/dist/libs/orders/src/actor.js`)});
    const transitions = new OrderTransitions();
    const ds = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
    const failure = (e) => ({ error: e.constructor.name, code: e.driverError?.code ?? e.code ?? null, constraint: e.driverError?.constraint ?? null, message: e.message });

    async function inRolledBackTransaction(work) {
      const qr = ds.createQueryRunner();
      await qr.connect();
      await qr.startTransaction();
      try {
        const m = qr.manager;
        const [region] = await m.query("INSERT INTO regions (name, level) VALUES ('转换县', 'county') RETURNING id");
        const [service] = await m.query("INSERT INTO services (code, name, group_name) VALUES ('T_' || gen_random_uuid(), '转换测试', '测试') RETURNING id, code");
        const [user] = await m.query("INSERT INTO users (name, roles) VALUES ('转换居民', ARRAY['resident']) RETURNING id");
        const teams = [];
        for (const name of ['甲队', '乙队', '丙队']) {
          const [t] = await m.query("INSERT INTO teams (name, region_id, location, service_radius_m, capacity) VALUES ($1, $2, ST_GeogFromText('SRID=4326;POINT(87.6 43.8)'), 5000, 5) RETURNING id", [name, region.id]);
          teams.push(t.id);
        }
        const [order] = await m.query(
          "INSERT INTO orders (resident_id, service_id, service_code, description, location, address, contact_phone, region_id, status) " +
          "VALUES ($1, $2, $3, '测试', ST_GeogFromText('SRID=4326;POINT(87.6 43.8)'), '-', '-', $4, 'dispatching') RETURNING id, version",
          [user.id, service.id, service.code, region.id]);
        const offerTo = (ids) => ids.map((teamId, i) => ({ teamId, score: 0.9 - i / 10, scoreBreakdown: { rank: i }, distanceM: 100 * (i + 1) }));
        const req = (over = {}) => ({ orderId: order.id, action: 'offer', actor: SYSTEM_ACTOR, note: null, data: { mode: 'grab' },
          incrementDispatchAttempts: true, lockedAs: { status: 'dispatching', version: order.version }, ...over });
        const held = async () => ({
          order: (await m.query('SELECT status, version, dispatch_attempts FROM orders WHERE id = $1', [order.id]))[0],
          offers: (await m.query('SELECT team_id, mode, status FROM offers WHERE order_id = $1 ORDER BY created_at, team_id', [order.id])).length,
          events: (await m.query("SELECT count(*)::int AS n FROM order_events WHERE order_id = $1", [order.id]))[0].n,
          outbox: (await m.query("SELECT type, offer_id FROM outbox_events WHERE order_id = $1 ORDER BY id", [order.id])),
        });
        return await work({ m, order, teams, offerTo, req, held });
      } finally {
        await qr.rollbackTransaction();
        await qr.release();
      }
    }

    (async () => {
      await ds.initialize();
      const out = {};
      out.grab = await inRolledBackTransaction(async ({ m, order, teams, offerTo, req, held }) => {
        const { offers } = await transitions.applyWithOffers(m, req(), { mode: 'grab', source: 'auto', windowSeconds: 60, offers: offerTo([teams[2], teams[0], teams[1]]) });
        const [{ data }] = await m.query("SELECT data FROM order_events WHERE order_id = $1 AND type = 'offer'", [order.id]);
        const stored = await m.query('SELECT id, team_id, mode, source, score, distance_m, extract(epoch FROM expires_at - now())::int AS window_s FROM offers WHERE order_id = $1', [order.id]);
        const h = await held();
        return {
          returned: offers.map((o) => ({ teamId: o.teamId, isDate: o.expiresAt instanceof Date, sameAsStored: stored.find((s) => s.id === o.offerId)?.team_id === o.teamId })),
          expectedTeams: [teams[2], teams[0], teams[1]],
          timeline: data.offers.map((o) => o.offerId), returnedIds: offers.map((o) => o.offerId), timelineMode: data.mode,
          stored: stored.map((s) => ({ mode: s.mode, source: s.source, windowSeconds: s.window_s })),
          order: h.order, outboxTypes: h.outbox.map((e) => e.type), outboxOfferIds: h.outbox.filter((e) => e.offer_id).map((e) => e.offer_id),
        };
      });
      out.stale = await inRolledBackTransaction(async ({ m, teams, offerTo, req, held }) => {
        let thrown = null;
        try {
          await transitions.applyWithOffers(m, req({ lockedAs: { status: 'dispatching', version: 99 } }), { mode: 'grab', source: 'auto', windowSeconds: 60, offers: offerTo(teams) });
        } catch (e) { thrown = failure(e); }
        return { thrown, ...(await held()) };
      });
      out.none = await inRolledBackTransaction(async ({ m, req, held }) => {
        let thrown = null;
        try {
          await transitions.applyWithOffers(m, req(), { mode: 'offer', source: 'auto', windowSeconds: 60, offers: [] });
        } catch (e) { thrown = failure(e); }
        return { thrown, ...(await held()) };
      });
      out.duplicate = await inRolledBackTransaction(async ({ m, order, teams, offerTo, req, held }) => {
        await m.query("INSERT INTO offers (order_id, team_id, status, source, mode, expires_at) VALUES ($1, $2, 'pending', 'manual', 'offer', now() + interval '1 hour')", [order.id, teams[1]]);
        await m.query('SAVEPOINT before_offer');
        let thrown = null;
        try {
          await transitions.applyWithOffers(m, req(), { mode: 'offer', source: 'auto', windowSeconds: 60, offers: offerTo([teams[0]]) });
        } catch (e) { thrown = failure(e); }
        await m.query('ROLLBACK TO SAVEPOINT before_offer');
        return { thrown, ...(await held()) };
      });
      await ds.destroy();
      process.stdout.write(JSON.stringify(out));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL }, encoding: 'utf8' }));
}

describe('OrderTransitions.applyWithOffers (one statement: offers, compare-and-set, timeline row)', () => {
  let out: Record<string, any>;
  beforeAll(() => {
    out = runCases();
  });

  it('grab mode: every offer in the given order, the order offered once, the timeline listing them, the outbox in that order', () => {
    const g = out.grab;
    expect(g.returned.map((o: any) => o.teamId)).toEqual(g.expectedTeams);
    expect(g.returned.every((o: any) => o.isDate && o.sameAsStored)).toBe(true);
    expect(g.timeline).toEqual(g.returnedIds);
    expect(g.timelineMode).toBe('grab');
    expect(g.stored).toEqual(Array(3).fill({ mode: 'grab', source: 'auto', windowSeconds: 60 }));
    expect(g.order).toEqual({ status: 'offered', version: 2, dispatch_attempts: 1 });
    expect(g.outboxTypes).toEqual(['offer.created', 'offer.created', 'offer.created', 'order.offered']);
    expect(g.outboxOfferIds).toEqual(g.returnedIds);
  });

  it('a compare-and-set that does not match writes nothing (no offer, no timeline row) and is CONCURRENT_UPDATE', () => {
    expect(out.stale.thrown).toEqual(expect.objectContaining({ error: 'DomainException', code: 'CONCURRENT_UPDATE' }));
    expect(out.stale).toEqual(expect.objectContaining({ order: { status: 'dispatching', version: 1, dispatch_attempts: 0 }, offers: 0, events: 0, outbox: [] }));
  });

  it('no offers: refused before anything is written (the order is not left offered with nobody to accept it)', () => {
    expect(out.none.thrown).toEqual(expect.objectContaining({ error: 'Error', message: expect.stringMatching(/no offers to write/) }));
    expect(out.none).toEqual(expect.objectContaining({ order: { status: 'dispatching', version: 1, dispatch_attempts: 0 }, offers: 0, events: 0, outbox: [] }));
  });

  it('a second pending offer-mode offer is the unique violation it was, and the statement leaves nothing behind', () => {
    expect(out.duplicate.thrown).toEqual(expect.objectContaining({ error: 'QueryFailedError', code: '23505', constraint: 'offers_one_pending_per_order' }));
    // only the offer inserted before the savepoint: the order, its timeline and the new offer are not written
    expect(out.duplicate).toEqual(expect.objectContaining({ order: { status: 'dispatching', version: 1, dispatch_attempts: 0 }, offers: 1, events: 0 }));
  });
});
