import { Client } from 'pg';
import { startPlatform, Platform } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http } from './support/http';
import { beneficiaryBody, buildJurisdictionWorld, JurisdictionWorld, pendingOfferFor, placeOrder } from './support/jurisdiction-world';
import { expectOk, randomPhone } from './support/world';

/**
 * OWASP API3:2023 — properties: clients cannot set status, teamId, version, roles, region or owner
 * through bodies (the validation pipe whitelists and rejects unknown fields: 400, nothing written);
 * responses never carry password hashes, and personal data is encrypted at rest, masked in lists,
 * and shown to a team only while it serves (and N days after) — tags and identity numbers never.
 */
describe('API3:2023 Broken Object Property Level Authorization', () => {
  const tag = `P${Date.now() % 100000}`;
  let platform: Platform;
  let db: Client;
  let api: Http;
  let w: JurisdictionWorld;
  const seen: { url: string; status: number; text: string }[] = [];
  const realFetch = globalThis.fetch;

  // offers: only manual ones — the running dispatcher keeps offering the orders other tests left dispatching
  const counts = async () =>
    (await db.query(`SELECT (SELECT count(*) FROM orders)::int AS orders, (SELECT count(*) FROM users)::int AS users,
                            (SELECT count(*) FROM beneficiaries)::int AS beneficiaries, (SELECT count(*) FROM teams)::int AS teams,
                            (SELECT count(*) FROM offers WHERE source = 'manual')::int AS offers`)).rows[0];
  function rejected(res: { status: number; body: any }, fields: string[]) {
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.fields.map((f: any) => f.field)).toEqual(expect.arrayContaining(fields));
  }

  beforeAll(async () => {
    globalThis.fetch = async (input: any, init?: any) => {
      const res = await realFetch(input, init);
      seen.push({ url: String(input), status: res.status, text: await res.clone().text() });
      return res;
    };
    platform = await startPlatform(`api3-${tag}`, { TEAM_CONTACT_RETENTION_DAYS: '7' });
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(platform.api.url);
    w = await buildJurisdictionWorld(api, tag, { lat: 33.5, lng: 117.0 });
  }, 180000);

  afterAll(async () => {
    globalThis.fetch = realFetch;
    await db?.end();
    await platform?.stop();
  });

  describe('mass assignment', () => {
    it('an order body cannot set status, teamId, version, residentId, regionId, onBehalf or dispatch fields', async () => {
      const before = await counts();
      const base = { serviceCode: w.serviceCode, description: '理发', location: w.at.a1, address: '甲村 9 号' };
      const smuggled = {
        status: 'accepted', teamId: w.teams.a.id, version: 99, residentId: w.residents.bob.id, regionId: w.regions.b.id,
        onBehalf: true, dispatchScope: 'county', dispatchAttempts: 0, id: '00000000-0000-4000-8000-000000000000',
      };
      for (const [key, value] of Object.entries(smuggled)) {
        rejected(await w.residents.alice.http.post('/api/v1/orders', { ...base, [key]: value }), [key]);
      }
      rejected(await w.residents.alice.http.post('/api/v1/orders', { ...base, ...smuggled }), Object.keys(smuggled));
      expect(await counts()).toEqual(before);
      // the same body without them is accepted, and the server decides those properties
      const placed = await placeOrder(w.residents.alice.http, base);
      expect(placed).toMatchObject({ status: 'dispatching', version: 1, team: null, regionId: w.regions.a1.id, onBehalf: false });
      expect((await db.query(`SELECT resident_id FROM orders WHERE id = $1`, [placed.id])).rows[0].resident_id).toBe(w.residents.alice.id);
    });

    it('registration cannot grant roles or a region; staff creation takes only the fields it names', async () => {
      const before = await counts();
      const phone = randomPhone('137');
      for (const extra of [{ roles: ['admin'] }, { role: 'admin' }, { regionId: w.regions.county.id }, { id: w.staff.countyAdmin.id }]) {
        rejected(await api.post('/api/v1/auth/register', { phone, password: 'Resident#2026', name: '冒充', smsCode: '000000', ...extra }), Object.keys(extra));
      }
      rejected(
        await w.admin.post('/api/v1/staff', { phone, name: '冒充', password: 'Staff#Pass2026', role: 'dispatcher', regionId: w.regions.a.id, roles: ['admin'] }),
        ['roles'],
      );
      rejected(await w.admin.post('/api/v1/staff', { phone, name: '冒充', password: 'Staff#Pass2026', role: 'superadmin', regionId: w.regions.a.id }), ['role']);
      expect(await counts()).toEqual(before);
    });

    it('offers, assignment, teams and review decisions cannot carry status, version or counters', async () => {
      const order = await placeOrder(w.residents.alice.http, { serviceCode: w.reviewCode, description: '补贴', location: w.at.a1, address: '甲村 9 号' });
      const offersBefore = await counts();
      rejected(await w.staff.townDispatcherA.http.post(`/api/v1/orders/${order.id}/approve`, { status: 'closed' }), ['status']);
      rejected(await w.staff.townDispatcherA.http.post(`/api/v1/orders/${order.id}/assign`, { teamId: w.teams.a.id, status: 'accepted', version: 1 }), ['status', 'version']);
      rejected(await w.staff.townDispatcherA.http.post(`/api/v1/orders/${order.id}/reject`, { reason: '不符', teamId: w.teams.a.id }), ['teamId']);
      rejected(
        await w.admin.post('/api/v1/teams', { name: `计数队${tag}`, regionId: w.regions.a1.id, location: w.at.a1, serviceRadiusM: 1000, skills: [w.skill], capacity: 1, activeOrders: -5, active: true }),
        ['activeOrders', 'active'],
      );
      expect(await counts()).toEqual(offersBefore);
      expect((await db.query(`SELECT status, version FROM orders WHERE id = $1`, [order.id])).rows[0]).toEqual({ status: 'pending_review', version: 1 });
    });

    it('a profile body cannot set its owner, region or version; a resident cannot set tags', async () => {
      const before = await counts();
      const body = beneficiaryBody(w.at.a1);
      for (const extra of [{ createdBy: w.residents.bob.id }, { regionId: w.regions.b1.id }, { version: 7 }, { archivedAt: null }]) {
        rejected(await w.residents.alice.http.post('/api/v1/beneficiaries', { ...body, ...extra }), Object.keys(extra));
      }
      const tagged = await w.residents.alice.http.post('/api/v1/beneficiaries', { ...body, tags: ['low_income'] });
      expect({ status: tagged.status, code: tagged.body.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
      rejected(await w.grid.a.http.post('/api/v1/beneficiaries', { ...body, tags: ['rich'] }), ['tags']);
      expect(await counts()).toEqual(before);

      const created = expectOk(await w.residents.alice.http.post('/api/v1/beneficiaries', body), 201, 'profile');
      const snapshot = async () => (await db.query(`SELECT * FROM beneficiaries WHERE id = $1`, [created.id])).rows[0];
      const row = await snapshot();
      rejected(await w.residents.alice.http.request('PATCH', `/api/v1/beneficiaries/${created.id}`, { regionId: w.regions.b1.id, createdBy: w.residents.bob.id }), ['regionId', 'createdBy']);
      const patchTags = await w.residents.alice.http.request('PATCH', `/api/v1/beneficiaries/${created.id}`, { tags: ['living_alone'] });
      expect(patchTags.status).toBe(403);
      expect(await snapshot()).toEqual(row);
      // the grid worker of the village may classify
      const classified = expectOk(await w.grid.a.http.request('PATCH', `/api/v1/beneficiaries/${created.id}`, { tags: ['living_alone'] }), 200, 'classify');
      expect(classified.tags).toEqual(['living_alone']);
    });
  });

  describe('personal data', () => {
    const idNumber = '330523194501011234';
    const guardianPhone = randomPhone('139');
    let profile: any;
    let order: any;
    let offer: any;

    beforeAll(async () => {
      profile = expectOk(
        await w.grid.a.http.post('/api/v1/beneficiaries', beneficiaryBody(w.at.a1, {
          name: '独居的李奶奶', tags: ['living_alone', 'disability'], idNumber, guardian: { name: '李建国', phone: guardianPhone, relation: '儿子' },
        })),
        201,
        'profile',
      );
      order = await placeOrder(w.grid.a.http, { serviceCode: w.serviceCode, description: '代点单：上门理发', beneficiaryId: profile.id });
      offer = await pendingOfferFor(w.teams.a, order.id);
    });

    it('is encrypted at rest: no phone or identity number in clear in the database', async () => {
      const [b] = (await db.query(`SELECT * FROM beneficiaries WHERE id = $1`, [profile.id])).rows;
      const text = JSON.stringify(b);
      expect(text).not.toContain(profile.phone);
      expect(text).not.toContain(idNumber);
      expect(text).not.toContain(guardianPhone);
      expect(text).not.toContain('李建国');
      for (const column of ['phone_enc', 'id_number_enc', 'guardian_enc']) expect(b[column]).toMatch(/^v1:/);
      const [o] = (await db.query(`SELECT contact_phone FROM orders WHERE id = $1`, [order.id])).rows;
      expect(o.contact_phone).toMatch(/^v1:/);
      const explicit = await placeOrder(w.residents.alice.http, { serviceCode: w.serviceCode, description: '理发', location: w.at.a1, address: '甲村 5 号', contactPhone: '13912345678' });
      expect((await db.query(`SELECT contact_phone FROM orders WHERE id = $1`, [explicit.id])).rows[0].contact_phone).toMatch(/^v1:/);
      expect(explicit.contactPhone).toBe('13912345678');
    });

    it('the order of a beneficiary takes the address, location and phone of the profile, and is 代点单', async () => {
      expect(order).toMatchObject({ address: profile.address, location: profile.location, contactPhone: profile.phone, beneficiaryId: profile.id, onBehalf: true });
      expect(order.timeline[0].actorRole).toBe('grid_worker');
      expect(order.regionId).toBe(w.regions.a1.id);
    });

    it('lists are masked; the profile page is full for officials; tags and identity numbers are for officials only', async () => {
      const masked = profile.phone.slice(0, 3) + '****' + profile.phone.slice(-4);
      const list = expectOk(await w.grid.a.http.get('/api/v1/beneficiaries?limit=100'), 200, 'list');
      const item = list.items.find((b: any) => b.id === profile.id);
      expect(item).toMatchObject({ phone: masked, idNumber: '330523********1234', tags: ['living_alone', 'disability'] });
      expect(JSON.stringify(list)).not.toContain(profile.phone);
      expect(JSON.stringify(list)).not.toContain(idNumber);
      const page = expectOk(await w.staff.townDispatcherA.http.get(`/api/v1/beneficiaries/${profile.id}`), 200, 'official page');
      expect(page).toMatchObject({ phone: profile.phone, idNumber, tags: ['living_alone', 'disability'], guardian: { name: '李建国', phone: guardianPhone } });
      const orders = expectOk(await w.staff.townDispatcherA.http.get('/api/v1/orders?limit=100'), 200, 'staff orders');
      const listed = orders.items.find((o: any) => o.id === order.id);
      expect(listed.contactPhone).toBe(masked);
      expect(JSON.stringify(orders)).not.toContain(profile.phone);
    });

    it('a team never sees tags or identity numbers, nor the address before it accepts', async () => {
      const member = w.teams.a.members[0].http;
      const offers = expectOk(await member.get('/api/v1/offers?limit=100'), 200, 'offers');
      const before = JSON.stringify(offers);
      for (const secret of [profile.phone, profile.address, idNumber, 'living_alone', '独居', guardianPhone]) expect(before).not.toContain(secret);
      const coarse = expectOk(await member.get(`/api/v1/orders/${order.id}`), 200, 'offered view');
      expect(coarse.address).toBeUndefined();
      expect(coarse.contactPhone).toBeUndefined();
      expect(coarse.beneficiaryId).toBeUndefined();
      expect((await member.get(`/api/v1/beneficiaries/${profile.id}`)).status).toBe(404);

      const accepted = expectOk(await member.post(`/api/v1/offers/${offer.id}/accept`), 200, 'accept');
      expect(accepted).toMatchObject({ address: profile.address, contactPhone: profile.phone });
      const text = JSON.stringify(accepted);
      for (const secret of [idNumber, 'living_alone', 'disability', '李建国']) expect(text).not.toContain(secret);
      expect((await member.get(`/api/v1/beneficiaries/${profile.id}`)).status).toBe(404);
    });

    it(`the team keeps the address and phone for TEAM_CONTACT_RETENTION_DAYS after completion, then only the coarse view`, async () => {
      const member = w.teams.a.members[0].http;
      expectOk(await member.post(`/api/v1/orders/${order.id}/check-in`, { location: w.at.a1 }), 200, 'check in');
      expectOk(await member.post(`/api/v1/orders/${order.id}/complete`, { report: '理发完成' }), 200, 'complete');
      const fresh = expectOk(await member.get(`/api/v1/orders/${order.id}`), 200, 'after completion');
      expect(fresh).toMatchObject({ address: profile.address, contactPhone: profile.phone });

      await db.query(`UPDATE service_records SET completed_at = now() - interval '8 days' WHERE order_id = $1`, [order.id]);
      const stale = expectOk(await member.get(`/api/v1/orders/${order.id}`), 200, 'after retention');
      expect(stale.status).toBe('completed');
      expect(stale.coarseLocation).toBeDefined();
      for (const field of ['address', 'contactPhone', 'location', 'timeline', 'beneficiaryId']) expect(stale[field]).toBeUndefined();
      const assigned = expectOk(await member.get('/api/v1/orders?assigned=true&limit=100'), 200, 'assigned');
      const listed = assigned.items.find((o: any) => o.id === order.id);
      expect(listed.address).toBeUndefined();
      expect(listed.contactPhone).toBeUndefined();
      // the placer and the officials still see it all
      expect(expectOk(await w.grid.a.http.get(`/api/v1/orders/${order.id}`), 200, 'placer').address).toBe(profile.address);
      expect(expectOk(await w.staff.townDispatcherA.http.get(`/api/v1/orders/${order.id}`), 200, 'staff').address).toBe(profile.address);
    });
  });

  it('no response of this file carries a password hash, and every response with a phone number of a list masks it', () => {
    expect(seen.length).toBeGreaterThan(80);
    const leaks = seen.filter((r) => /passwordHash|password_hash|\$argon2|"password"/i.test(r.text));
    expect(leaks.map((r) => `${r.url} → ${r.status}`)).toEqual([]);
    const lists = seen.filter((r) => /\/(beneficiaries|orders)\?/.test(r.url) && r.status === 200);
    expect(lists.length).toBeGreaterThanOrEqual(3);
    for (const r of lists) expect({ url: r.url, clear: /"(phone|contactPhone)":"1[3-9]\d{9}"/.test(r.text) }).toEqual({ url: r.url, clear: false });
  });
});
