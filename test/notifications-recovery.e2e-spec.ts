import IORedis from 'ioredis';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { RunningApp, startApp, startPlatform, Platform } from './support/apps';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './support/env';
import { FakeSmsGateway } from './support/fake-providers';
import { Http, until } from './support/http';
import { adminClient, createRegions, createService, createTeam, CreatedTeam, expectOk, LatLng, offset, registerResident } from './support/world';

/**
 * The relay loses nothing and sends nothing twice: killed mid-send and with Redis flushed, every
 * intent reaches its channel exactly once. Time is a file the apps read (CLOCK_FILE), so quiet hours
 * are tested at 23:00 and 07:00 without waiting for either; ten offers in a burst are one text.
 */
describe('notifications: relay killed, Redis flushed, quiet hours, coalescing', () => {
  const tag = `NR${Date.now() % 100000}`;
  const home: LatLng = { lat: 30.45, lng: 119.8 };
  const clockDir = mkdtempSync(join(tmpdir(), 'xinyuan-clock-'));
  const clockFile = join(clockDir, 'now');
  let gateway: FakeSmsGateway;
  let platform: Platform;
  let relay: RunningApp | undefined;
  let db: Client;
  let redis: IORedis;
  let api: Http;
  let admin: Http;
  let station: any;

  /**
   * The most recent instant (not in the future: offers' deadlines are real time) at which Shanghai
   * showed this local time; the apps' clock is moved there and runs on from it.
   */
  const lastShanghai = (hour: number, minute: number): number => {
    const now = Date.now();
    const local = new Date(now + 8 * 3600_000);
    let target = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), hour, minute) - 8 * 3600_000;
    if (target > now) target -= 24 * 3600_000;
    return target;
  };
  const setClock = (instant: number) => {
    const shift = instant - Date.now();
    writeFileSync(clockFile, `${shift >= 0 ? '+' : ''}${shift}`);
  };

  beforeAll(async () => {
    gateway = await FakeSmsGateway.start();
    setClock(lastShanghai(10, 0));
    platform = await startPlatform(
      `notify-rec-${tag}`,
      {
        SMS_PROVIDER: 'http',
        SMS_HTTP_URL: gateway.url,
        CLOCK_FILE: clockFile,
        NOTIFY_SWEEP_MS: '300',
        RELAY_POLL_MS: '50',
        NOTIFY_SEND_LEASE_MS: '2000',
        NOTIFY_CONCURRENCY: '4',
        NOTIFY_COALESCE_MS: '3000',
      },
      { relay: false },
    );
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    redis = new IORedis(TEST_REDIS_URL);
    api = new Http(platform.api.url);
    admin = await adminClient(api);
    ({ station } = await createRegions(admin, home, tag));
  }, 150000);

  afterAll(async () => {
    await relay?.stop();
    await platform?.stop();
    redis?.disconnect();
    await db?.end();
    await gateway?.close();
    rmSync(clockDir, { recursive: true, force: true });
  });

  const startRelay = async () => (relay = await startApp('relay', platform.env));
  const offersOf = async (orderIds: string[]) =>
    (await db.query(`SELECT count(*)::int AS n FROM offers WHERE order_id = ANY($1::uuid[])`, [orderIds])).rows[0].n as number;

  it('kill the relay mid-send and flush Redis: every intent is delivered exactly once per channel', async () => {
    const skill = `kill_${tag.toLowerCase()}`;
    await createService(admin, `KILL_${tag}`, [skill], 3600);
    // twelve teams two kilometres apart, each serving only its own spot: one offer per team, no coalescing
    const teams: CreatedTeam[] = [];
    for (let i = 0; i < 12; i++) {
      teams.push(await createTeam(api, admin, station.id, { name: `守夜队${tag}-${i}`, location: offset(home, -4000 + 700 * i, 2000), serviceRadiusM: 300, skills: [skill], capacity: 5, members: 2 }));
    }
    const r = await registerResident(api);
    const orderIds: string[] = [];
    for (let i = 0; i < 12; i++) {
      const order = expectOk(
        await r.http.post('/api/v1/orders', { serviceCode: `KILL_${tag}`, description: '夜里漏水', location: offset(home, -4000 + 700 * i + 50, 2000), address: '测试村' }),
        201, 'order',
      );
      orderIds.push(order.id);
    }
    await until('12 offers', async () => (await offersOf(orderIds)) === 12, 30000);

    gateway.delayMs = 250;
    await startRelay();
    await until('some texts out', async () => gateway.messages.length >= 4, 20000);
    await relay!.stop('SIGKILL');
    const { rows: inFlight } = await db.query(`SELECT count(*)::int AS n FROM notification_deliveries WHERE status = 'sending'`);
    await redis.flushdb();
    await startRelay();

    const expected = 24;
    const deliveries = await until('every intent sent', async () => {
      const { rows } = await db.query(
        `SELECT d.id, d.status FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
          WHERE n.order_id = ANY($1::uuid[]) AND n.type = 'offer_new'`, [orderIds]);
      return rows.length === expected && rows.every((d) => d.status === 'sent') ? rows : undefined;
    }, 40000);
    gateway.delayMs = 0;
    // one message per delivery at the gateway, under the delivery's own id; none twice
    const outIds = gateway.messages.map((m) => m.outId).filter((id) => deliveries.some((d: any) => d.id === id));
    expect(outIds.length).toBe(expected);
    expect(new Set(outIds).size).toBe(expected);
    for (const t of teams) for (const m of t.members) expect(gateway.to(m.phone).filter((x) => x.template === 'XY_OFFER_NEW')).toHaveLength(1);
    // the checks the chaos suite runs: one SQL query each
    expect((await db.query(`SELECT * FROM notification_double_sends`)).rows).toEqual([]);
    expect((await db.query(
      `SELECT offer_id, recipient_user_id FROM notifications WHERE type = 'offer_new' AND offer_id IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1`,
    )).rows).toEqual([]);
    expect((await db.query(`SELECT count(*)::int AS n FROM outbox_pending`)).rows[0].n).toBe(0);
    // a send the kill interrupted was taken back after its lease and sent again with the same key
    if (inFlight[0].n > 0) expect(gateway.repeats + gateway.messages.length).toBeGreaterThanOrEqual(expected);
    // and the sweep's schedule came back by itself after the flush
    await until('sweep scheduler restored', async () => (await redis.keys(`${platform.env.QUEUE_PREFIX}:notify:*`)).length > 0);
  }, 150000);

  it('ten offers in a burst become one text: "您有 10 个新派单"', async () => {
    const skill = `burst_${tag.toLowerCase()}`;
    await createService(admin, `BURST_${tag}`, [skill], 3600);
    const t = await createTeam(api, admin, station.id, { name: `银龄队${tag}`, location: offset(home, 0, -3000), serviceRadiusM: 2000, skills: [skill], capacity: 20 });
    await relay?.stop();
    relay = undefined;
    const r = await registerResident(api);
    const orderIds: string[] = [];
    for (let i = 0; i < 10; i++) {
      orderIds.push(expectOk(await r.http.post('/api/v1/orders', { serviceCode: `BURST_${tag}`, description: `第${i}件事`, location: offset(home, 10 * i, -3000), address: '测试村' }), 201, 'order').id);
    }
    await until('10 offers', async () => (await offersOf(orderIds)) === 10, 30000);
    await startRelay();
    const phone = t.members[0].phone;
    await until('one text', async () => gateway.to(phone).length >= 1, 20000);
    await new Promise((res) => setTimeout(res, 1500));
    const texts = gateway.to(phone);
    expect(texts).toHaveLength(1);
    expect(texts[0].text).toContain('您有 10 个新派单');
    expect(texts[0].params.count).toBe('10');
    const inbox = expectOk(await t.members[0].http.get('/api/v1/me/notifications?limit=100'), 200, 'inbox');
    expect(inbox.items.filter((n: any) => n.type === 'offer_new')).toHaveLength(10);
    const { rows } = await db.query(
      `SELECT d.status, count(*)::int AS n FROM notification_deliveries d WHERE d.recipient_key = $1 AND d.type = 'offer_new' GROUP BY 1 ORDER BY 1`,
      [t.members[0].userId],
    );
    expect(rows).toEqual([{ status: 'coalesced', n: 9 }, { status: 'sent', n: 1 }]);
  }, 120000);

  it('quiet hours hold a non-urgent text until 07:00 (clock moved, not waited for); an urgent one goes at once', async () => {
    const skill = `night_${tag.toLowerCase()}`;
    await createService(admin, `NIGHT_${tag}`, [skill], 3600);
    const t = await createTeam(api, admin, station.id, { name: `夜间队${tag}`, location: offset(home, 3000, -3000), serviceRadiusM: 2000, skills: [skill], capacity: 20 });
    const night = lastShanghai(23, 0);
    setClock(night);
    const calm = await registerResident(api, '安静的居民');
    const worried = await registerResident(api, '着急的居民');
    const place = async (who: { http: Http }, urgent: boolean) =>
      expectOk(await who.http.post('/api/v1/orders', { serviceCode: `NIGHT_${tag}`, description: '夜里', location: offset(home, 3000, -3000), address: '测试村', urgent }), 201, 'order');
    const accept = async (orderId: string) => {
      const offer = await until('offer', async () => (await db.query(`SELECT id FROM offers WHERE order_id = $1`, [orderId])).rows[0]);
      expectOk(await t.members[0].http.post(`/api/v1/offers/${offer.id}/accept`), 200, 'accept');
    };
    const normal = await place(calm, false);
    await accept(normal.id);
    const urgent = await place(worried, true);
    await accept(urgent.id);

    await until('urgent text at 23:00', async () => gateway.to(worried.phone).some((m) => m.template === 'XY_ORDER_ACCEPTED'), 10000);
    const held = await until('held until morning', async () => {
      const { rows } = await db.query(
        `SELECT d.status, d.held_reason, d.due_at FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
          WHERE n.order_id = $1 AND n.type = 'order_accepted' AND d.channel = 'sms'`, [normal.id]);
      return rows[0];
    });
    expect(held).toMatchObject({ status: 'pending', held_reason: 'quiet_hours' });
    // 07:00 in Shanghai is 23:00 UTC
    expect(new Date(held.due_at).toISOString()).toMatch(/T23:00:00\.000Z$/);
    // the inbox is silent and is not held
    const inbox = expectOk(await calm.http.get('/api/v1/me/notifications'), 200, 'inbox');
    expect(inbox.items.some((n: any) => n.type === 'order_accepted')).toBe(true);
    await new Promise((res) => setTimeout(res, 1500));
    expect(gateway.to(calm.phone)).toHaveLength(0);
    // the volunteer's offer text of the non-urgent order waited too, and by morning the offer was taken: not sent
    const { rows: offerText } = await db.query(
      `SELECT d.status, d.held_reason FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
        WHERE n.order_id = $1 AND n.type = 'offer_new'`, [normal.id]);
    expect(offerText).toEqual([{ status: 'pending', held_reason: 'quiet_hours' }]);

    setClock(night + 8 * 3600_000 + 60_000);
    await until('sent in the morning', async () => gateway.to(calm.phone).some((m) => m.template === 'XY_ORDER_ACCEPTED'), 15000);
    await until('stale offer text dropped', async () => {
      const { rows } = await db.query(
        `SELECT d.status, d.skip_reason FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
          WHERE n.order_id = $1 AND n.type = 'offer_new'`, [normal.id]);
      return rows[0]?.status === 'skipped' && rows[0].skip_reason === 'offer_closed';
    });
    setClock(lastShanghai(10, 0));
  }, 120000);
});
