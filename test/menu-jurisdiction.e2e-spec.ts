import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { RunningApp, startApp, testEnv } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http } from './support/http';
import { adminClient, createRegions, expectOk, LatLng, login, offset, randomPhone, registerResident } from './support/world';

/**
 * Menu items belong to a jurisdiction: deployment-wide items are edited only by the everything-scope
 * admin; a county adds items of its own, which its admins edit, its residents see on the public menu
 * and order — and which another county's admin cannot even find, nor a resident order elsewhere.
 */
describe('menu items per county', () => {
  const tag = `MJ${Date.now() % 100000}`;
  const homeX: LatLng = { lat: 29.1, lng: 120.1 };
  const homeY: LatLng = { lat: 29.1, lng: 121.3 };
  const nowhere: LatLng = { lat: 40.5, lng: 90.5 };
  const codes = { everywhere: `EVERY_${tag}`, x: `XONLY_${tag}`, y: `YONLY_${tag}` };
  let app: RunningApp;
  let db: Client;
  let api: Http;
  let admin: Http;
  let x: Awaited<ReturnType<typeof createRegions>>;
  let y: Awaited<ReturnType<typeof createRegions>>;
  const people: Record<'adminX' | 'adminY' | 'townshipAdminX' | 'dispatcherX', Http> = {} as never;

  const item = (code: string, extra: Record<string, unknown> = {}) => ({ code, name: `服务${code}`, group: '测试', requiredSkills: ['visit'], ...extra });
  const staff = async (role: 'admin' | 'dispatcher', regionId: string) => {
    const phone = randomPhone('138');
    expectOk(await admin.post('/api/v1/staff', { phone, name: `${role}${tag}`, password: 'Staff#2026pw', role, regionId }), 201, 'staff');
    return login(api, phone, 'Staff#2026pw');
  };
  const menuCodes = async (who: Http, query = '') => {
    const page = expectOk(await who.get(`/api/v1/services?limit=100${query}`), 200, `menu${query}`);
    return page.items.map((s: any) => s.code).filter((c: string) => c.endsWith(tag)).sort();
  };
  const staffList = async (who: Http) =>
    Object.fromEntries(expectOk(await who.get('/api/v1/services/all'), 200, 'staff menu').items.filter((s: any) => s.code.endsWith(tag)).map((s: any) => [s.code, s.editable]));
  const nameOf = async (code: string) => (await db.query(`SELECT name FROM services WHERE code = $1`, [code])).rows[0].name;

  beforeAll(async () => {
    app = await startApp('api', testEnv(`menu-${tag}`));
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(app.url);
    admin = await adminClient(api);
  }, 120000);

  afterAll(async () => {
    await db?.end();
    await app?.stop();
  });

  it('a county admin adds items of their own county; with one county in the deployment everybody sees them', async () => {
    x = await createRegions(admin, homeX, `${tag}X`);
    people.adminX = await staff('admin', x.county.id);
    const everywhere = expectOk(await admin.post('/api/v1/services', item(codes.everywhere)), 201, 'deployment-wide item');
    expect(everywhere).toMatchObject({ regionId: null, regionName: null });
    const own = expectOk(await people.adminX.post('/api/v1/services', item(codes.x)), 201, 'county item');
    expect(own).toMatchObject({ regionId: x.county.id, regionName: x.county.name });
    // the deployment has a single county so far: its items are everybody's
    expect(await menuCodes(api)).toEqual([codes.everywhere, codes.x].sort());
  });

  it('only the everything-scope admin chooses an item\'s county; nobody else adds another county\'s items', async () => {
    y = await createRegions(admin, homeY, `${tag}Y`);
    people.adminY = await staff('admin', y.county.id);
    people.townshipAdminX = await staff('admin', x.township.id);
    people.dispatcherX = await staff('dispatcher', x.township.id);

    expect(expectOk(await admin.post('/api/v1/services', item(codes.y, { regionId: y.county.id })), 201, 'Y item').regionId).toBe(y.county.id);
    const notCounty = await admin.post('/api/v1/services', item(`TOWN_${tag}`, { regionId: y.township.id }));
    expect([notCounty.status, notCounty.body.code, notCounty.body.fields?.[0]?.field]).toEqual([422, 'REGION_NOT_FOUND', 'regionId']);
    const intoY = await people.adminX.post('/api/v1/services', item(`XINTOY_${tag}`, { regionId: y.county.id }));
    expect([intoY.status, intoY.body.code]).toEqual([403, 'OUTSIDE_JURISDICTION']);
    const township = await people.townshipAdminX.post('/api/v1/services', item(`TOWNSHIP_${tag}`));
    expect([township.status, township.body.code]).toEqual([403, 'OUTSIDE_JURISDICTION']);
    const { rows } = await db.query(`SELECT code FROM services WHERE code IN ($1, $2, $3)`, [`TOWN_${tag}`, `XINTOY_${tag}`, `TOWNSHIP_${tag}`]);
    expect(rows).toEqual([]);
  });

  it('another county\'s admin cannot find a county\'s item (404); a county admin cannot edit a deployment-wide item (403)', async () => {
    const before = await nameOf(codes.x);
    const acrossCounties = await people.adminY.patch(`/api/v1/services/${codes.x}`, { name: '外县改的名字', active: false });
    expect([acrossCounties.status, acrossCounties.body.code]).toEqual([404, 'SERVICE_NOT_FOUND']);
    expect(await nameOf(codes.x)).toBe(before);
    expect((await db.query(`SELECT active FROM services WHERE code = $1`, [codes.x])).rows[0].active).toBe(true);

    const shared = await people.adminX.patch(`/api/v1/services/${codes.everywhere}`, { name: '县里改的名字' });
    expect([shared.status, shared.body.code]).toEqual([403, 'OUTSIDE_JURISDICTION']);
    expect(await nameOf(codes.everywhere)).toBe(`服务${codes.everywhere}`);
    // a township's admin sees the county's items but does not edit them; a dispatcher edits nothing
    expect((await people.townshipAdminX.patch(`/api/v1/services/${codes.x}`, { name: '镇里改的名字' })).status).toBe(403);
    expect((await people.dispatcherX.patch(`/api/v1/services/${codes.x}`, { name: '调度改的名字' })).status).toBe(403);
    expect(await nameOf(codes.x)).toBe(before);

    expect(expectOk(await people.adminX.patch(`/api/v1/services/${codes.x}`, { name: '本县助浴' }), 200, 'own item').name).toBe('本县助浴');
    expect(expectOk(await admin.patch(`/api/v1/services/${codes.y}`, { name: '乙县助餐' }), 200, 'everything scope').regionId).toBe(y.county.id);
    expect(expectOk(await admin.patch(`/api/v1/services/${codes.everywhere}`, { name: '通用探访' }), 200, 'everything scope').regionId).toBeNull();
  });

  it('lists each staff member the deployment-wide items and their county\'s, with what they may edit', async () => {
    expect(await staffList(people.adminX)).toEqual({ [codes.everywhere]: false, [codes.x]: true });
    expect(await staffList(people.adminY)).toEqual({ [codes.everywhere]: false, [codes.y]: true });
    expect(await staffList(people.dispatcherX)).toEqual({ [codes.everywhere]: false, [codes.x]: false });
    expect(await staffList(admin)).toEqual({ [codes.everywhere]: true, [codes.x]: true, [codes.y]: true });
  });

  it('shows the public menu of the county given by a region, a point, or the signed-in resident\'s last order', async () => {
    expect(await menuCodes(api)).toEqual([codes.everywhere]);
    expect(await menuCodes(api, `&regionId=${x.station.id}`)).toEqual([codes.everywhere, codes.x].sort());
    expect(await menuCodes(api, `&lat=${homeY.lat}&lng=${homeY.lng}`)).toEqual([codes.everywhere, codes.y].sort());
    expect(await menuCodes(api, `&lat=${nowhere.lat}&lng=${nowhere.lng}`)).toEqual([codes.everywhere]);
    const unknown = await api.get(`/api/v1/services?regionId=${randomUUID()}`);
    expect([unknown.status, unknown.body.code, unknown.body.fields?.[0]?.field]).toEqual([422, 'REGION_NOT_FOUND', 'regionId']);
    const half = await api.get('/api/v1/services?lat=29.1');
    expect([half.status, half.body.code, half.body.fields?.[0]?.field]).toEqual([400, 'VALIDATION_FAILED', 'lng']);
    // a token is optional, but one that is sent must be valid
    expect((await api.as('not-a-token').get('/api/v1/services')).status).toBe(401);

    const resident = await registerResident(api, '甲县居民');
    expect(await menuCodes(resident.http)).toEqual([codes.everywhere]);
    expectOk(await resident.http.post('/api/v1/orders', { serviceCode: codes.everywhere, description: '探访', location: offset(homeX, 100, 0), address: '甲县 1 号' }), 201, 'order in X');
    expect(await menuCodes(resident.http)).toEqual([codes.everywhere, codes.x].sort());
    // staff see their own county's menu
    expect(await menuCodes(people.dispatcherX)).toEqual([codes.everywhere, codes.x].sort());
  });

  it('refuses to order a county\'s item anywhere outside that county, and writes nothing', async () => {
    const resident = await registerResident(api, '乙县居民');
    const wrongCounty = await resident.http.post('/api/v1/orders', { serviceCode: codes.x, description: '助浴', location: homeY, address: '乙县 2 号' });
    expect([wrongCounty.status, wrongCounty.body.code]).toEqual([422, 'SERVICE_NOT_AVAILABLE_HERE']);
    expect(wrongCounty.body.fields).toEqual([expect.objectContaining({ field: 'serviceCode' })]);
    expect(wrongCounty.body.message).toContain(x.county.name);
    const outside = await resident.http.post('/api/v1/orders', { serviceCode: codes.x, description: '助浴', location: nowhere, address: '远方' });
    // outside every county: out of the service area altogether
    expect([outside.status, outside.body.code]).toEqual([422, 'OUT_OF_SERVICE_AREA']);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM orders WHERE resident_id = $1`, [resident.id]);
    expect(rows[0].n).toBe(0);

    const inCounty = expectOk(await resident.http.post('/api/v1/orders', { serviceCode: codes.x, description: '助浴', location: offset(homeX, 0, 200), address: '甲县 3 号' }), 201, 'in X');
    expect(inCounty.serviceCode).toBe(codes.x);
    expectOk(await resident.http.post('/api/v1/orders', { serviceCode: codes.everywhere, description: '探访', location: homeY, address: '乙县 4 号' }), 201, 'shared item in Y');
  });
});
