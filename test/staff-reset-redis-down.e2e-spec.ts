import { Client } from 'pg';
import { RunningApp, startApp, testEnv } from './support/apps';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './support/env';
import { Http } from './support/http';
import { TcpProxy } from './support/tcp-proxy';
import { adminClient, createRegions, expectOk, randomPhone } from './support/world';

/**
 * An admin's password reset for staff commits in Postgres, then forgets the phone's failed sign-ins
 * in Redis. With Redis away, the reset still happened: it is answered as done (the lock runs out on
 * its own), never as a 503 for a change that was made.
 */
describe('staff password reset while Redis is away', () => {
  const tag = `R${Date.now() % 100000}`;
  let proxy: TcpProxy;
  let api: RunningApp;
  let http: Http;
  let db: Client;

  beforeAll(async () => {
    const redis = new URL(TEST_REDIS_URL);
    proxy = await TcpProxy.start(redis.hostname, Number(redis.port || 6379));
    api = await startApp('api', testEnv(`reset-${tag}`, { REDIS_URL: proxy.rewrite(TEST_REDIS_URL) }));
    http = new Http(api.url);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  }, 120000);

  afterAll(async () => {
    await proxy?.restore();
    await api?.stop();
    await proxy?.close();
    await db?.end();
  });

  it('answers 204 for the committed reset; once Redis is back the ended session stays ended and the new password works', async () => {
    const admin = await adminClient(http);
    const { township } = await createRegions(admin, { lat: 30.83, lng: 120.93 }, tag);
    const phone = randomPhone('137');
    const person = expectOk(await admin.post('/api/v1/staff', { phone, name: '值班员', password: 'Staff#2026pw', role: 'dispatcher', regionId: township.id }), 201, 'staff');
    const signedIn = expectOk(await http.post('/api/v1/auth/login', { phone, password: 'Staff#2026pw' }), 200, 'login');
    expectOk(await http.as(signedIn.accessToken).get('/api/v1/dispatch/queue'), 200, 'the session works');
    const before = (await db.query(`SELECT password_hash FROM users WHERE id = $1`, [person.userId])).rows[0].password_hash;

    await proxy.cut();
    const reset = await admin.post(`/api/v1/staff/${person.userId}/password`, { newPassword: 'Fresh#Start2026' });
    expect(reset.status).toBe(204);
    const after = (await db.query(`SELECT password_hash FROM users WHERE id = $1`, [person.userId])).rows[0].password_hash;
    expect(after).not.toBe(before);
    // sign-in needs the lockout counters: refused cleanly while Redis is away
    const away = await http.post('/api/v1/auth/login', { phone, password: 'Fresh#Start2026' });
    expect({ status: away.status, code: away.body.code }).toEqual({ status: 503, code: 'AUTH_STORE_UNAVAILABLE' });

    await proxy.restore();
    // the session the reset ended stays ended, though Redis never heard of it
    expect((await http.as(signedIn.accessToken).get('/api/v1/dispatch/queue')).status).toBe(401);
    expectOk(await http.post('/api/v1/auth/login', { phone, password: 'Fresh#Start2026' }), 200, 'the new password');
    expect((await http.post('/api/v1/auth/login', { phone, password: 'Staff#2026pw' })).body.code).toBe('INVALID_CREDENTIALS');
  });
});
