import { Client } from 'pg';
import { startApp, RunningApp, testEnv } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http } from './support/http';
import { adminClient, createRegions, createService, expectOk, LatLng, login, offset, randomPhone, registerResident, square } from './support/world';

/**
 * 台账 and beneficiary data: an order of township A for a person whose profile (一人一档) belongs to
 * township B. The county's admin, whose jurisdiction covers the profile, reads the name; township A's
 * admin sees the order but only the masked name (王**); township B's dispatcher does not see the
 * order at all. No phone and no address in any of the files.
 */
describe('exports: the ledger masks beneficiary data unless the caller may see the profile', () => {
  const tag = `L${Date.now() % 100000}`;
  const home: LatLng = { lat: 30.27, lng: 119.91 };
  const code = `MASK_${tag}`;
  let app: RunningApp;
  let db: Client;
  let api: Http;
  let countyAdmin: Http;
  let townshipAdmin: Http;
  let otherDispatcher: Http;
  let orderId: string;

  const staffMember = async (admin: Http, role: string, regionId: string) => {
    const phone = randomPhone('138');
    expectOk(await admin.post('/api/v1/staff', { phone, name: `台账${role}`, password: 'Ledger#2026', role, regionId }), 201, role);
    return login(api, phone, 'Ledger#2026');
  };

  beforeAll(async () => {
    app = await startApp('api', testEnv(`ledger-mask-${tag}`));
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(app.url);
    const root = await adminClient(api);
    const regions = await createRegions(root, home, tag);
    const townshipB = expectOk(
      await root.post('/api/v1/regions', { name: `乙镇${tag}`, level: 'township', parentId: regions.county.id, boundary: square(offset(home, 0, 25000), 5000) }),
      201,
      'township B',
    );
    const service = await createService(root, code, ['errand'], 600);
    countyAdmin = await staffMember(root, 'admin', regions.county.id);
    townshipAdmin = await staffMember(root, 'admin', regions.township.id);
    otherDispatcher = await staffMember(root, 'dispatcher', townshipB.id);
    const resident = await registerResident(api, '台账代办人');
    const inB = offset(home, 0, 25000);
    const { rows: [b] } = await db.query(
      `INSERT INTO beneficiaries (created_by, region_id, name, age_band, address, location, phone_enc)
       VALUES ($1, $2, '王桂英', '80_plus', '乙镇幸福路 9 号', ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography, NULL) RETURNING id`,
      [resident.id, townshipB.id, inB.lng, inB.lat],
    );
    const { rows: [o] } = await db.query(
      `INSERT INTO orders (resident_id, service_id, service_code, description, location, address, contact_phone, region_id, status, beneficiary_id)
       VALUES ($1, $2, $3, '代办取药', ST_SetSRID(ST_MakePoint($5, $6), 4326)::geography, '甲镇古城路 18 号', 'not-a-ciphertext', $4, 'closed', $7) RETURNING id`,
      [resident.id, service.id, code, regions.station.id, home.lng, home.lat, b.id],
    );
    orderId = o.id;
  }, 180000);

  afterAll(async () => {
    await app?.stop();
    await db?.end();
  });

  const ledger = async (as: Http) => {
    const to = new Date(Date.now() + 86400e3).toISOString().slice(0, 10);
    const from = new Date(Date.now() - 2 * 86400e3).toISOString().slice(0, 10);
    const res = await fetch(`${app.url}/api/v1/exports/orders?format=csv&serviceCode=${code}&from=${from}&to=${to}`, { headers: { authorization: `Bearer ${as.token}` } });
    expect(res.status).toBe(200);
    const text = (await res.text()).replace(/^\uFEFF/, '');
    expect(text).not.toMatch(/幸福路|古城路|(?<![0-9a-f-])1[3-9]\d{9}(?![0-9a-f])/); // never an address or a phone
    return text.trimEnd().split('\r\n').slice(1).map((l) => l.split(','));
  };

  it('the county admin (the profile is in their jurisdiction) reads the name', async () => {
    const rows = await ledger(countyAdmin);
    expect(rows).toHaveLength(1);
    expect(rows[0][1]).toBe(orderId);
    expect(rows[0][10]).toBe('王桂英');
  });

  it('township A\'s admin sees the order of their township but the name masked', async () => {
    const rows = await ledger(townshipAdmin);
    expect(rows).toHaveLength(1);
    expect(rows[0][1]).toBe(orderId);
    expect(rows[0][10]).toBe('王**');
  });

  it('township B\'s dispatcher (the profile\'s township, not the order\'s) does not see the order', async () => {
    expect(await ledger(otherDispatcher)).toEqual([]);
  });
});
