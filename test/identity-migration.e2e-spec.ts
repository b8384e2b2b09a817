import { hash } from '@node-rs/argon2';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { PiiCipher } from '../libs/common/src/pii';
import { RunningApp, startApp, testEnv } from './support/apps';
import { ROOT, TEST_DATABASE_URL } from './support/env';
import { sendSmsCode } from './support/sms-codes';
import { Http } from './support/http';

/** A key other than the development default, as production has: the migration must use the configured one. */
const KEY = '5a'.repeat(32);

/**
 * The identity-v2 migration on a database that already has people in it: every clear phone
 * becomes ciphertext + blind index under the configured key, the clear column is gone, and the
 * people log in as before.
 */
describe('identity v2 migration: phones of existing users are encrypted', () => {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `${url.pathname}_mig`;
  const dbUrl = url.toString();
  const admin = new URL(TEST_DATABASE_URL);
  admin.pathname = '/postgres';
  const people = Array.from({ length: 2500 }, (_, i) => ({ phone: `136${String(i).padStart(8, '0')}`, name: `老用户${i}` }));
  let api: RunningApp | undefined;

  async function withAdmin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    const c = new Client({ connectionString: admin.toString() });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }

  beforeAll(async () => {
    const name = url.pathname.slice(1);
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).then(() => c.query(`CREATE DATABASE "${name}"`)));
    // the schema as it was before identity v2: only the two earlier migrations
    const script = `
      const { DataSource } = require('typeorm');
      const m = (f, n) => require(${JSON.stringify(join(ROOT, 'dist/libs/database/src/migrations'))} + '/' + f)[n];
      const ds = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, migrationsTableName: 'migrations',
        migrations: [m('1763884800000-initial-schema.js', 'InitialSchema1763884800000'), m('1764000000000-dispatch-v2.js', 'DispatchV21764000000000')] });
      ds.initialize().then(() => ds.runMigrations({ transaction: 'each' })).then(() => ds.destroy()).catch((e) => { console.error(e); process.exit(1); });`;
    execFileSync(process.execPath, ['-e', script], { cwd: ROOT, env: { ...process.env, DATABASE_URL: dbUrl }, stdio: 'inherit' });
    const passwordHash = await hash('Old#Password2025');
    const c = new Client({ connectionString: dbUrl });
    await c.connect();
    try {
      await c.query(
        `INSERT INTO users (phone, name, password_hash, roles) SELECT p, n, $3, ARRAY['resident'] FROM unnest($1::text[], $2::text[]) AS t(p, n)`,
        [people.map((p) => p.phone), people.map((p) => p.name), passwordHash],
      );
    } finally {
      await c.end();
    }
    execFileSync(process.execPath, [join(ROOT, 'dist/libs/database/src/cli/migrate.js')], {
      env: { ...process.env, DATABASE_URL: dbUrl, PII_ENCRYPTION_KEY: KEY },
      stdio: 'inherit',
    });
  }, 120000);

  afterAll(async () => {
    await api?.stop();
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${url.pathname.slice(1)}" WITH (FORCE)`));
  });

  it('replaces every clear phone by ciphertext and a unique blind index under the configured key', async () => {
    const pii = PiiCipher.fromConfig(KEY);
    const c = new Client({ connectionString: dbUrl });
    await c.connect();
    try {
      const columns = (await c.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'users'`)).rows.map((r) => r.column_name);
      expect(columns).not.toContain('phone');
      expect(columns).toEqual(expect.arrayContaining(['phone_enc', 'phone_bidx']));
      const { rows } = await c.query(`SELECT name, phone_enc, phone_bidx FROM users`);
      expect(rows).toHaveLength(people.length);
      const byName = new Map(people.map((p) => [p.name, p.phone]));
      for (const r of rows) {
        const phone = byName.get(r.name)!;
        expect(r.phone_enc).not.toContain(phone);
        expect(pii.decrypt(r.phone_enc)).toBe(phone);
        expect(r.phone_bidx).toBe(pii.blindIndex(phone));
      }
      const dump = JSON.stringify(rows);
      for (const p of people.slice(0, 50)) expect(dump).not.toContain(p.phone);
      const unique = await c.query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'users' AND indexname = 'users_phone_bidx_key'`);
      expect(unique.rows[0].indexdef).toMatch(/UNIQUE INDEX .* \(phone_bidx\)/);
    } finally {
      await c.end();
    }
  });

  it('the people log in with their phone and password as before', async () => {
    api = await startApp('api', testEnv(`mig-${Date.now() % 100000}`, { DATABASE_URL: dbUrl, PII_ENCRYPTION_KEY: KEY }));
    const http = new Http(api.url);
    const res = await http.post('/api/v1/auth/login', { phone: people[1234].phone, password: 'Old#Password2025' });
    expect(res.status).toBe(200);
    expect(res.body.user.name).toBe(people[1234].name);
    const me = await http.as(res.body.accessToken).get('/api/v1/me');
    expect(me.body.phone).toBe(people[1234].phone);
    // and a phone already taken stays taken (the unique blind index)
    const dup = await http.post('/api/v1/auth/register', { phone: people[7].phone, password: 'New#Password2026', name: '冒名', smsCode: await sendSmsCode(http, people[7].phone) });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('PHONE_TAKEN');
    // a deployment without a WeChat appid has no WeChat login (a clean 404, not a 5xx)
    const wx = await http.post('/api/v1/auth/wechat/login', { code: 'any-code' });
    expect(wx.status).toBe(404);
    expect(wx.body.code).toBe('WECHAT_NOT_CONFIGURED');
  });
});
