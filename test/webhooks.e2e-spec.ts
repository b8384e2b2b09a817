import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import IORedis from 'ioredis';
import { verify } from '../libs/webhooks/src/signing';
import { RunningApp, startApp, startPlatform, Platform, testEnv } from './support/apps';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './support/env';
import { Http, until } from './support/http';
import { createPerson } from './support/jurisdiction-world';
import { adminClient, createRegions, createService, createTeam, CreatedTeam, expectOk, LatLng, offset, registerResident, square } from './support/world';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  answered: number;
}

/** A local receiver: each path answers from its own script of status codes (the last one repeats). */
class Receiver {
  readonly received: Received[] = [];
  private scripts = new Map<string, number[]>();
  private constructor(private readonly server: Server, readonly base: string) {}

  static async start(): Promise<Receiver> {
    let self!: Receiver;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const script = self.scripts.get(path) ?? [200];
        const status = script.length > 1 ? script.shift()! : script[0];
        self.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered: status });
        if (status === 0) return; // never answers: the relay's timeout must end the attempt
        res.writeHead(status, { 'content-type': 'text/plain' });
        // a large answer: the relay keeps only its first bytes
        res.end(status === 200 ? 'ok' : 'x'.repeat(50000));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    self = new Receiver(server, `http://127.0.0.1:${(server.address() as { port: number }).port}`);
    return self;
  }

  script(path: string, statuses: number[]) {
    this.scripts.set(path, statuses);
  }
  at(path: string, orderId?: string) {
    return this.received.filter((r) => r.path === path && (!orderId || JSON.parse(r.body).data.orderId === orderId));
  }
  close() {
    this.server.closeAllConnections();
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}

/**
 * Signed webhooks against the real apps: a local receiver checks every Standard Webhooks v1
 * signature; retries follow the back-off (time moved through CLOCK_FILE, not waited for); 410
 * disables; loopback targets are refused without WEBHOOK_ALLOW_PRIVATE; a rotated secret and the
 * old one both sign during the overlap; a killed relay and a flushed Redis lose and double nothing.
 */
describe('webhooks: Standard Webhooks v1 from the outbox', () => {
  const tag = `W${Date.now() % 100000}`;
  const home: LatLng = { lat: 30.61, lng: 119.82 };
  const clockDir = mkdtempSync(join(tmpdir(), 'xinyuan-clock-'));
  const clockFile = join(clockDir, 'now');
  let shiftMs = 0;
  const advance = (ms: number) => {
    shiftMs += ms;
    writeFileSync(clockFile, `+${shiftMs}`);
  };
  let receiver: Receiver;
  let platform: Platform;
  let strictApi: RunningApp;
  let restartedRelay: RunningApp | undefined;
  let db: Client;
  let api: Http;
  let admin: Http;
  let resident: Http;
  let team: CreatedTeam;
  const code = `WH_${tag}`;

  beforeAll(async () => {
    writeFileSync(clockFile, '+0');
    receiver = await Receiver.start();
    const extra = { CLOCK_FILE: clockFile, WEBHOOK_POLL_MS: '50', WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_SEND_LEASE_MS: '3000', RELAY_POLL_MS: '100' };
    [platform, strictApi] = await Promise.all([
      startPlatform(`webhooks-${tag}`, { ...extra, WEBHOOK_ALLOW_PRIVATE: 'true' }),
      startApp('api', testEnv(`webhooks-strict-${tag}`, extra)),
    ]);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(platform.api.url);
    admin = await adminClient(api);
    const regions = await createRegions(admin, home, tag);
    await createService(admin, code, ['errand'], 600);
    team = await createTeam(api, admin, regions.station.id, { name: `推送队${tag}`, location: offset(home, 300, 0), serviceRadiusM: 5000, skills: ['errand'], capacity: 50 });
    resident = (await registerResident(api, '推送居民')).http;
  }, 180000);

  afterAll(async () => {
    await Promise.all([platform?.stop(), strictApi?.stop(), restartedRelay?.stop()]);
    await db?.end();
    await receiver?.close();
    rmSync(clockDir, { recursive: true, force: true });
  });

  const register = async (path: string, events: string[]) =>
    expectOk(await admin.post('/api/v1/webhooks', { url: `${receiver.base}${path}`, events }), 201, `webhook ${path}`);
  const place = async () =>
    expectOk(
      await resident.post('/api/v1/orders', { serviceCode: code, description: '帮忙取药', location: home, address: '推送村 8 号 3 单元', contactPhone: '13912345678' }),
      201,
      'order',
    );
  const settle = () => new Promise((r) => setTimeout(r, 1500));

  it('signs every delivery (v1 HMAC over id.timestamp.body) and carries ids and statuses only', async () => {
    const hook = await register('/ok', ['order.placed', 'order.offered', 'order.accepted']);
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(hook).toMatchObject({ url: `${receiver.base}/ok`, events: ['order.placed', 'order.offered', 'order.accepted'], status: 'active' });
    // the secret is shown once
    const listed = expectOk(await admin.get('/api/v1/webhooks'), 200, 'list').items.find((h: any) => h.id === hook.id);
    expect(listed).toBeDefined();
    expect(listed.secret).toBeUndefined();

    const order = await place();
    const offered = await until('offer to the team', async () => {
      const res = await team.members[0].http.get('/api/v1/offers?status=pending');
      return res.body.items?.find((o: any) => o.orderId === order.id);
    });
    expectOk(await team.members[0].http.post(`/api/v1/offers/${offered.id}/accept`), 200, 'accept');
    const got = await until('placed, offered and accepted at the receiver', async () => {
      const mine = receiver.at('/ok', order.id);
      return mine.length >= 3 && mine;
    });
    expect(got.map((r) => JSON.parse(r.body).type).sort()).toEqual(['order.accepted', 'order.offered', 'order.placed']);
    for (const r of got) {
      const id = String(r.headers['webhook-id']);
      const ts = Number(r.headers['webhook-timestamp']);
      expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(120);
      expect(String(r.headers['webhook-signature'])).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(verify(hook.secret, id, ts, r.body, String(r.headers['webhook-signature']))).toBe(true);
      // a changed body does not verify
      expect(verify(hook.secret, id, ts, r.body.replace('order.', 'order_'), String(r.headers['webhook-signature']))).toBe(false);
      // no phone, no exact address, no description
      expect(r.body).not.toMatch(/1391234|推送村|帮忙取药/);
    }
    const accepted = JSON.parse(got.find((r) => JSON.parse(r.body).type === 'order.accepted')!.body);
    expect(accepted.data).toMatchObject({ orderId: order.id, status: 'accepted', previousStatus: 'offered', serviceCode: code, teamId: team.id });
    // one delivery per event: the webhook-id is the delivery's id in the log
    const log = expectOk(await admin.get(`/api/v1/webhooks/${hook.id}/deliveries?limit=100`), 200, 'deliveries');
    const forOrder = log.items.filter((d: any) => d.orderId === order.id);
    expect(forOrder).toHaveLength(3);
    expect(new Set(forOrder.map((d: any) => d.id))).toEqual(new Set(got.map((r) => String(r.headers['webhook-id']))));
    for (const d of forOrder) expect(d).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200 });
    await expectOk(await admin.request('DELETE', `/api/v1/webhooks/${hook.id}`), 204, 'delete');
  });

  it('retries a failing receiver with back-off (same webhook-id), once more each time, then stops after success', async () => {
    receiver.script('/flaky', [500, 500, 200]);
    const hook = await register('/flaky', ['order.placed']);
    const order = await place();
    await until('first attempt', async () => receiver.at('/flaky', order.id).length === 1);
    await settle();
    expect(receiver.at('/flaky', order.id)).toHaveLength(1); // not before the back-off has passed
    advance(6000); // the first wait is 5 s
    await until('second attempt', async () => receiver.at('/flaky', order.id).length === 2);
    await settle();
    expect(receiver.at('/flaky', order.id)).toHaveLength(2); // the second wait is 5 min
    advance(5 * 60000 + 1000);
    await until('third attempt', async () => receiver.at('/flaky', order.id).length === 3);
    advance(24 * 3600e3); // a day later: nothing more
    await settle();
    const calls = receiver.at('/flaky', order.id);
    expect(calls.map((c) => c.answered)).toEqual([500, 500, 200]);
    expect(new Set(calls.map((c) => c.headers['webhook-id'])).size).toBe(1);
    const [d] = await until('delivered', async () => {
      const log = expectOk(await admin.get(`/api/v1/webhooks/${hook.id}/deliveries`), 200, 'log');
      return log.items[0]?.status === 'delivered' && log.items;
    });
    expect(d).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200 });
    expect(d.history.map((h: any) => h.statusCode)).toEqual([200, 500, 500]);
    // the answer body is kept only up to a few KB
    expect(d.history[1].responseExcerpt.length).toBeLessThanOrEqual(2048);
    await expectOk(await admin.request('DELETE', `/api/v1/webhooks/${hook.id}`), 204, 'delete');
  });

  it('410 Gone disables the endpoint: later events are not sent to it; a dead delivery is resent by hand once enabled', async () => {
    receiver.script('/gone', [410]);
    const hook = await register('/gone', ['order.placed']);
    const first = await place();
    await until('the one attempt', async () => receiver.at('/gone', first.id).length === 1);
    const disabled = await until('disabled', async () => {
      const h = expectOk(await admin.get(`/api/v1/webhooks/${hook.id}`), 200, 'endpoint');
      return h.status === 'disabled' && h;
    });
    expect(disabled.disabledReason).toBe('gone');
    const second = await place();
    advance(3600e3);
    await settle();
    expect(receiver.at('/gone', second.id)).toHaveLength(0);
    expect(receiver.at('/gone')).toHaveLength(1);
    const { rows } = await db.query(`SELECT status, last_status_code FROM webhook_deliveries WHERE endpoint_id = $1`, [hook.id]);
    expect(rows).toEqual([{ status: 'dead', last_status_code: 410 }]);

    // resend by hand (the console's 重新发送): refused while the endpoint is off, then the same webhook-id once more
    const [dead] = expectOk(await admin.get(`/api/v1/webhooks/${hook.id}/deliveries`), 200, 'log').items;
    const resend = () => admin.post(`/api/v1/webhooks/${hook.id}/deliveries/${dead.id}/resend`, {});
    const whileOff = await resend();
    expect(whileOff.status).toBe(409);
    expect(whileOff.body.code).toBe('WEBHOOK_DISABLED');
    expectOk(await admin.post(`/api/v1/webhooks/${hook.id}/enable`, {}), 200, 'enable');
    receiver.script('/gone', [200]);
    const queued = expectOk(await resend(), 200, 'resend');
    expect(queued).toMatchObject({ id: dead.id, status: 'pending', attempts: 1 });
    await until('the resent call', async () => receiver.at('/gone', first.id).length === 2);
    const calls = receiver.at('/gone', first.id);
    expect(calls[1].headers['webhook-id']).toBe(calls[0].headers['webhook-id']);
    const delivered = await until('delivered after the resend', async () => {
      const [d] = expectOk(await admin.get(`/api/v1/webhooks/${hook.id}/deliveries`), 200, 'log').items;
      return d.status === 'delivered' && d;
    });
    expect(delivered).toMatchObject({ attempts: 2, lastStatusCode: 200 });
    const again = await resend();
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('WEBHOOK_NOT_RESENDABLE');
    const missing = await admin.post(`/api/v1/webhooks/${hook.id}/deliveries/00000000-0000-4000-8000-000000000000/resend`, {});
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('WEBHOOK_DELIVERY_NOT_FOUND');
    await expectOk(await admin.request('DELETE', `/api/v1/webhooks/${hook.id}`), 204, 'delete');
  });

  it('a receiver that does not answer is given up on after WEBHOOK_TIMEOUT_MS, and retried later', async () => {
    receiver.script('/hang', [0]);
    const hook = await register('/hang', ['order.placed']);
    const order = await place();
    const [d] = await until('the attempt timed out', async () => {
      const log = expectOk(await admin.get(`/api/v1/webhooks/${hook.id}/deliveries`), 200, 'log');
      return log.items[0]?.status === 'pending' && log.items[0]?.attempts === 1 && log.items;
    }, 20000);
    expect(d).toMatchObject({ orderId: order.id, lastStatusCode: null, lastError: expect.stringMatching(/timeout after 2000 ms/) });
    expect(receiver.at('/hang', order.id)).toHaveLength(1);
    await expectOk(await admin.request('DELETE', `/api/v1/webhooks/${hook.id}`), 204, 'delete');
  });

  it('refuses loopback, private and link-local targets without WEBHOOK_ALLOW_PRIVATE (400 WEBHOOK_URL_FORBIDDEN)', async () => {
    const strict = await adminClient(new Http(strictApi.url));
    for (const url of [`${receiver.base}/ok`, 'http://localhost:8080/x', 'http://10.0.0.8/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:9000/x']) {
      const res = await strict.post('/api/v1/webhooks', { url, events: ['order.placed'] });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('WEBHOOK_URL_FORBIDDEN');
      expect(res.body.fields[0].field).toBe('url');
    }
    const bad = await strict.post('/api/v1/webhooks', { url: 'ftp://example.com/x', events: ['order.placed'] });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    const badEvent = await strict.post('/api/v1/webhooks', { url: 'https://example.com/x', events: ['order.exploded'] });
    expect(badEvent.status).toBe(400);
    const resident2 = (await registerResident(new Http(strictApi.url), '不是管理员')).http;
    expect((await resident2.post('/api/v1/webhooks', { url: 'https://example.com/x', events: ['order.placed'] })).status).toBe(403);
  });

  it('a killed relay and a flushed Redis neither lose nor double an event per endpoint', async () => {
    const hook = await register('/crash', ['order.placed']);
    await platform.relay!.stop('SIGKILL');
    const orders = [];
    for (let i = 0; i < 5; i++) orders.push(await place());
    const redis = new IORedis(TEST_REDIS_URL);
    await redis.flushdb();
    redis.disconnect();
    restartedRelay = await startApp('relay', platform.env);
    await until('five deliveries', async () => receiver.at('/crash').length >= 5, 30000);
    await settle();
    for (const o of orders) expect(receiver.at('/crash', o.id)).toHaveLength(1);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'delivered'`, [hook.id]);
    expect(rows[0].n).toBe(5);
    await expectOk(await admin.request('DELETE', `/api/v1/webhooks/${hook.id}`), 204, 'delete');
  }, 150000);

  it('rotation: both secrets sign during the overlap, only the new one after it', async () => {
    const hook = await register('/rotate', ['order.placed']);
    const rotated = expectOk(await admin.post(`/api/v1/webhooks/${hook.id}/rotate-secret`, { overlapHours: 24 }), 200, 'rotate');
    expect(rotated.secret).not.toBe(hook.secret);
    expect(rotated.previousSecretUntil).toBeTruthy();
    const during = await place();
    const [r1] = await until('delivery during the overlap', async () => receiver.at('/rotate', during.id).length === 1 && receiver.at('/rotate', during.id));
    const sig1 = String(r1.headers['webhook-signature']);
    expect(sig1.split(' ')).toHaveLength(2);
    for (const secret of [hook.secret, rotated.secret]) {
      expect(verify(secret, String(r1.headers['webhook-id']), Number(r1.headers['webhook-timestamp']), r1.body, sig1)).toBe(true);
    }
    advance(25 * 3600e3);
    const after = await place();
    const [r2] = await until('delivery after the overlap', async () => receiver.at('/rotate', after.id).length === 1 && receiver.at('/rotate', after.id));
    const sig2 = String(r2.headers['webhook-signature']);
    expect(sig2.split(' ')).toHaveLength(1);
    expect(verify(rotated.secret, String(r2.headers['webhook-id']), Number(r2.headers['webhook-timestamp']), r2.body, sig2)).toBe(true);
    expect(verify(hook.secret, String(r2.headers['webhook-id']), Number(r2.headers['webhook-timestamp']), r2.body, sig2)).toBe(false);
    // another admin's jurisdiction cannot see it
    const other = await admin.get(`/api/v1/webhooks/00000000-0000-4000-8000-000000000000/deliveries`);
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('WEBHOOK_NOT_FOUND');
  });

  it('a regional endpoint hears care.checkin_missed for people of its region only (the person is in the event, its subject is the alert)', async () => {
    const regions = await createRegions(admin, offset(home, 0, 200000), `${tag}c`);
    const far = offset(home, 10000, 200000);
    // the person in the neighbouring village must live in a region too (else OUT_OF_SERVICE_AREA)
    expectOk(
      await admin.post('/api/v1/regions', { name: `邻村${tag}`, level: 'village', parentId: regions.township.id, boundary: square(far, 3000) }),
      201,
      'neighbouring village',
    );
    const villageAdmin = (await createPerson(api, admin, 'admin', regions.station.id, '村管理员')).http;
    const hook = expectOk(await villageAdmin.post('/api/v1/webhooks', { url: `${receiver.base}/care`, events: ['care.checkin_missed'] }), 201, 'village webhook');
    const person = async (at: LatLng) =>
      expectOk(await admin.post('/api/v1/beneficiaries', { name: '独居老人', ageBand: '80_plus', address: '关爱路 1 号', location: at }), 201, 'profile').id as string;
    const mine = await person(offset(home, 100, 200000));
    const theirs = await person(far);
    // the care sweep writes exactly this event when a day is missed (libs/care/src/care-sweep.ts)
    for (const beneficiaryId of [mine, theirs]) {
      await db.query(
        `INSERT INTO outbox_events (type, subject_id, data) VALUES ('care.checkin_missed', gen_random_uuid(), jsonb_build_object('alertId', gen_random_uuid(), 'beneficiaryId', $1::text, 'stage', 1))`,
        [beneficiaryId],
      );
    }
    const careCalls = () => receiver.at('/care').map((r) => JSON.parse(r.body));
    await until('the village\'s person at its endpoint', async () => careCalls().some((b) => b.data.beneficiaryId === mine));
    await settle();
    expect(careCalls().map((b) => [b.type, b.data.beneficiaryId])).toEqual([['care.checkin_missed', mine]]);
    await expectOk(await villageAdmin.request('DELETE', `/api/v1/webhooks/${hook.id}`), 204, 'delete');
  });
});
