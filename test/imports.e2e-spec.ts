import ExcelJS from 'exceljs';
import { Client } from 'pg';
import { startApp, RunningApp, testEnv } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http } from './support/http';
import { adminClient, createRegions, expectOk, LatLng, login, offset, randomPhone } from './support/world';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADER = ['姓名', '年龄段', '地址', '纬度', '经度', '类别', '身份证号', '联系电话', '监护人姓名', '监护人电话', '监护人关系'];

/**
 * Spreadsheet import of 一人一档 against the real api: a 10,000-row file with 37 bad rows — the dry
 * run names exactly those rows (row, column, message in Chinese) and writes nothing; the import
 * writes the 9,963 others, encrypted; the same file again changes nothing; a changed row updates;
 * all-or-nothing per file; XLSX and the templates.
 */
describe('imports: beneficiaries from CSV and XLSX', () => {
  const tag = `I${Date.now() % 100000}`;
  const home: LatLng = { lat: 30.42, lng: 119.55 };
  let app: RunningApp;
  let db: Client;
  let api: Http;
  let staff: Http;
  let staffId: string;

  beforeAll(async () => {
    app = await startApp('api', testEnv(`imports-${tag}`));
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(app.url);
    const admin = await adminClient(api);
    const regions = await createRegions(admin, home, tag);
    const phone = randomPhone('138');
    expectOk(await admin.post('/api/v1/staff', { phone, name: '导入管理员', password: 'Import#2026', role: 'admin', regionId: regions.county.id }), 201, 'staff');
    staff = await login(api, phone, 'Import#2026');
    staffId = expectOk(await staff.get('/api/v1/me'), 200, 'me').id;
  }, 180000);

  afterAll(async () => {
    await app?.stop();
    await db?.end();
  });

  /** A row that passes every check; `i` makes it a different person. */
  const goodRow = (i: number): string[] => {
    const p = offset(home, (i % 100) * 30, Math.floor(i / 100) * 30);
    return [`老人${i}`, ['60-69岁', '70-79岁', '80岁及以上'][i % 3], `测试村${i}号`, p.lat.toFixed(6), p.lng.toFixed(6), i % 5 === 0 ? '独居老人、低保' : '',
      `330523195${String(i).padStart(9, '0')}`, `139${String(i).padStart(8, '0')}`, i % 7 === 0 ? `子女${i}` : '', i % 7 === 0 ? `0572-${String(5000000 + i)}` : '', i % 7 === 0 ? '女儿' : ''];
  };
  /** Each kind of mistake people make, with the column the report must name. */
  const spoil = (row: string[], k: number): { row: string[]; column: string } => {
    const r = [...row];
    switch (k % 8) {
      case 0: r[7] = '1234'; return { row: r, column: '联系电话' };
      case 1: r[6] = '33052319500101123'; return { row: r, column: '身份证号' };
      case 2: r[1] = '九十岁'; return { row: r, column: '年龄段' };
      case 3: r[0] = ''; return { row: r, column: '姓名' };
      case 4: r[3] = '北纬30度'; return { row: r, column: '纬度' };
      case 5: r[5] = '孤寡'; return { row: r, column: '类别' };
      case 6: { const far = offset(home, 0, 200000); r[3] = far.lat.toFixed(6); return { row: r, column: '纬度' }; } // outside the county
      default: r[6] = goodRow(0)[6]; return { row: r, column: '身份证号' }; // the same person as row 2
    }
  };
  const csv = (rows: string[][]) =>
    '\uFEFF' + [HEADER, ...rows].map((r) => r.map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',')).join('\r\n');
  const upload = (body: string | Buffer, query: string, type = 'text/csv') =>
    fetch(`${app.url}/api/v1/imports/beneficiaries?${query}`, { method: 'POST', headers: { authorization: `Bearer ${staff.token}`, 'content-type': type }, body })
      .then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
  const mine = async () => (await db.query(`SELECT count(*)::int AS n FROM beneficiaries WHERE created_by = $1`, [staffId])).rows[0].n;

  const rows: string[][] = [];
  const bad = new Map<number, string>(); // file row number → the column at fault
  for (let i = 0; i < 10000; i++) rows.push(goodRow(i));
  for (let k = 0; k < 37; k++) {
    const i = 100 + k * 263;
    const spoilt = spoil(rows[i], k);
    rows[i] = spoilt.row;
    bad.set(i + 2, spoilt.column);
  }
  const file = csv(rows);

  it('the dry run of 10,000 rows with 37 bad ones lists exactly those 37 (row, column, Chinese message) and writes nothing', async () => {
    const res = await upload(file, 'dryRun=true&fileName=一人一档.csv');
    expect(res.status).toBe(200);
    const report = res.body;
    expect(report).toMatchObject({ dryRun: true, status: 'dry_run', total: 10000, badRows: 37, created: 9963, updated: 0, unchanged: 0 });
    expect([...new Set(report.errors.map((e: any) => e.row))].sort((a: any, b: any) => a - b)).toEqual([...bad.keys()]);
    for (const e of report.errors) {
      expect(e.column).toBe(bad.get(e.row));
      expect(e.message).toMatch(/[\u4e00-\u9fa5]/);
    }
    // the report names rows and columns, never the values people typed
    expect(JSON.stringify(report)).not.toMatch(/1390000|33052319500101123/);
    expect(staffId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await mine()).toBe(0);
  }, 120000);

  it('all-or-nothing per file: a file with a bad row writes nothing', async () => {
    const res = await upload(csv([goodRow(20001), spoil(goodRow(20002), 0).row]), 'mode=file');
    expect(res.body).toMatchObject({ status: 'rejected', badRows: 1, created: 0 });
    expect(res.body.errors).toEqual([{ row: 3, column: '联系电话', message: expect.any(String) }]);
    expect(await mine()).toBe(0);
  });

  it('row by row: the import writes the 9,963 good rows, encrypted; importing the same file again changes nothing; a changed row updates', async () => {
    const first = (await upload(file, 'mode=row')).body;
    expect(first).toMatchObject({ dryRun: false, status: 'partial', total: 10000, processed: 10000, created: 9963, updated: 0, unchanged: 0, badRows: 37 });
    expect(await mine()).toBe(9963);
    const { rows: [sample] } = await db.query(
      `SELECT phone_enc, id_number_enc, guardian_enc, region_id FROM beneficiaries WHERE created_by = $1 AND name = '老人7'`,
      [staffId],
    );
    expect(sample.phone_enc).not.toContain('13900000007');
    expect(sample.id_number_enc).not.toContain('3305231950');
    expect(sample.guardian_enc).toBeTruthy();
    expect(sample.region_id).toBeTruthy();
    // the profile reads back decrypted through the console's API
    const { rows: [{ id }] } = await db.query(`SELECT id FROM beneficiaries WHERE created_by = $1 AND name = '老人7'`, [staffId]);
    const profile = expectOk(await staff.get(`/api/v1/beneficiaries/${id}`), 200, 'profile');
    expect(profile).toMatchObject({ phone: '13900000007', idNumber: '330523195000000007', ageBand: '70_79' });
    expect(profile.guardian).toMatchObject({ name: '子女7', phone: '0572-5000007', relation: '女儿' });

    const again = (await upload(file, 'mode=row')).body;
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 9963, badRows: 37 });
    expect(await mine()).toBe(9963);

    const changedRows = rows.map((r) => [...r]);
    changedRows[7][7] = '13712345678';
    const third = (await upload(csv(changedRows), 'mode=row')).body;
    expect(third).toMatchObject({ created: 0, updated: 1, unchanged: 9962 });
    expect(expectOk(await staff.get(`/api/v1/beneficiaries/${id}`), 200, 'profile').phone).toBe('13712345678');
    expect(await mine()).toBe(9963);

    const { rows: audit } = await db.query(`SELECT action, data FROM audit_log WHERE actor_id = $1 AND action LIKE 'beneficiary.import%' ORDER BY id`, [staffId]);
    expect(audit.map((a) => a.action)).toEqual(['beneficiary.import.dry_run', 'beneficiary.import', 'beneficiary.import', 'beneficiary.import', 'beneficiary.import']);
    expect(audit[2].data).toMatchObject({ created: 9963, badRows: 37 });
    const run = expectOk(await staff.get(`/api/v1/imports/${third.id}`), 200, 'run');
    expect(run).toMatchObject({ status: 'partial', processed: 10000, updated: 1 });
  }, 240000);

  it('an import says nothing about people on file elsewhere: the same identity number in another county is a row like any other, and its own profile', async () => {
    const admin = await adminClient(api);
    const farHome = offset(home, 0, 300000);
    const far = await createRegions(admin, farHome, `${tag}o`);
    const phone = randomPhone('138');
    expectOk(await admin.post('/api/v1/staff', { phone, name: '外县管理员', password: 'Import#2026', role: 'admin', regionId: far.county.id }), 201, 'other staff');
    const other = await login(api, phone, 'Import#2026');
    // 老人7 of this county, typed by the other county's admin at an address of theirs
    const row = goodRow(7);
    const p = offset(farHome, 100, 100);
    row[3] = p.lat.toFixed(6);
    row[4] = p.lng.toFixed(6);
    const send = (query: string) =>
      fetch(`${app.url}/api/v1/imports/beneficiaries?${query}`, { method: 'POST', headers: { authorization: `Bearer ${other.token}`, 'content-type': 'text/csv' }, body: csv([row]) })
        .then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const dry = (await send('dryRun=true')).body;
    expect(dry).toMatchObject({ dryRun: true, badRows: 0, errors: [], created: 1 });
    const done = (await send('mode=file')).body;
    expect(done).toMatchObject({ status: 'imported', created: 1, updated: 0 });
    const { rows: copies } = await db.query(`SELECT region_id FROM beneficiaries WHERE name = '老人7' ORDER BY created_at`);
    expect(copies).toHaveLength(2);
    expect(copies[1].region_id).not.toBe(copies[0].region_id);
    // this county's profile is untouched and still this county's only
    expect(await mine()).toBe(9963);
  });

  it('XLSX: the template downloads and a filled workbook imports', async () => {
    const res = await fetch(`${app.url}/api/v1/imports/beneficiaries/template?format=xlsx`, { headers: { authorization: `Bearer ${staff.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect((sheet.getRow(1).values as string[]).slice(1)).toEqual(HEADER);
    sheet.spliceRows(2, 1);
    for (const i of [30001, 30002, 30003]) sheet.addRow(goodRow(i));
    const filled = Buffer.from(await workbook.xlsx.writeBuffer());
    const report = (await upload(filled, 'mode=file', XLSX)).body;
    expect(report).toMatchObject({ status: 'imported', created: 3, badRows: 0 });
    const csvTemplate = await fetch(`${app.url}/api/v1/imports/beneficiaries/template?format=csv`, { headers: { authorization: `Bearer ${staff.token}` } });
    expect((await csvTemplate.text()).replace(/^\uFEFF/, '').split('\r\n')[0]).toBe(HEADER.join(','));
    // residents cannot import; other content types are refused
    const unsupported = await fetch(`${app.url}/api/v1/imports/beneficiaries`, { method: 'POST', headers: { authorization: `Bearer ${staff.token}`, 'content-type': 'application/pdf' }, body: 'x' });
    expect(unsupported.status).toBe(415);
  });
});
