import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { Platform, startPlatform } from './support/apps';
import { ARTIFACTS, fill, launchChromium, seriousA11yViolations, shot } from './support/browser';
import { ROOT } from './support/env';
import { Http, until } from './support/http';
import { adminClient, createRegions, expectOk, LatLng, login, offset, randomPhone, registerResident } from './support/world';

/**
 * Proactive care in a real browser: the elder taps one huge 我很好 button in the resident H5 (at
 * least 64 px high, one tap, the confirmation in big text) and exactly one check-in is recorded; the
 * grid worker's console page "关爱 · 今日" lists today's visits and the open missed-check-in alert,
 * and resolving it from there is recorded. Screenshots go to test/artifacts (docs/screenshots with
 * UPDATE_SCREENSHOTS=1).
 */
describe('UI: care — the 我很好 button and the grid worker\'s today list', () => {
  const tag = `UC${Date.now() % 100000}`;
  const home: LatLng = { lat: 27.9, lng: 120.65 };
  const clockDir = mkdtempSync(join(tmpdir(), 'xinyuan-uicare-clock-'));
  const clockFile = join(clockDir, 'now');
  const gridWorker = { phone: randomPhone('136'), password: 'GridCare#2026', name: '俞网格' };
  let platform: Platform;
  let http: Http;
  let grid: Http;
  let browser: Browser;
  let elder: { http: Http; id: string; phone: string };
  let elderProfile = '';
  let missedProfile = '';
  const elderName = `陈阿婆${tag}`;
  const screenshots = join(ROOT, 'docs/screenshots');

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/web/h5/resident/index.html')) || !existsSync(join(ROOT, 'dist/web/console/index.html'))) {
      throw new Error('the front ends are not built: run `npm run build:web` (npm test does)');
    }
    writeFileSync(clockFile, '+0');
    platform = await startPlatform(`uicare-${tag}`, { WEB_DIR: join(ROOT, 'dist/web'), CLOCK_FILE: clockFile, CARE_SWEEP_MS: '300' });
    http = new Http(platform.api.url);
    const admin = await adminClient(http);
    const regions = await createRegions(admin, home, tag);
    expectOk(await admin.post('/api/v1/staff', { ...gridWorker, role: 'grid_worker', regionId: regions.station.id }), 201, 'grid worker');
    grid = await login(http, gridWorker.phone, gridWorker.password);
    // the elder has her own account and her own profile; the grid worker sets her plan
    elder = await registerResident(http, elderName);
    elderProfile = expectOk(await elder.http.post('/api/v1/beneficiaries', { name: elderName, ageBand: '80_plus', address: '幸福村 2 幢', location: offset(home, 40, 40) }), 201, 'profile').id;
    expectOk(await grid.put(`/api/v1/beneficiaries/${elderProfile}/care-plan`, {
      checkIn: { dailyBy: '08:00' }, visits: [{ kind: 'call', rrule: 'FREQ=DAILY;BYHOUR=0;BYMINUTE=5', assigneeUserId: undefined }],
    }), 200, 'plan');
    // a neighbour whose deadline passes in two minutes, with no check-in: the clock is moved past it
    missedProfile = expectOk(await grid.post('/api/v1/beneficiaries', { name: `李爷爷${tag}`, ageBand: '80_plus', address: '幸福村 5 幢', location: offset(home, -60, 20) }), 201, 'p2').id;
    const local = new Date(Date.now() + 8 * 3600_000 + 2 * 60_000);
    const dailyBy = `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
    expectOk(await grid.put(`/api/v1/beneficiaries/${missedProfile}/care-plan`, { checkIn: { dailyBy, graceMinutes: 0 } }), 200, 'plan 2');
    writeFileSync(clockFile, `+${4 * 60_000}`);
    await until('alert opened', async () => {
      const list = (await grid.get('/api/v1/care/alerts?status=open')).body;
      return list.items?.some((a: any) => a.beneficiaryId === missedProfile);
    }, 30000);
    browser = await launchChromium();
  }, 240000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    rmSync(clockDir, { recursive: true, force: true });
  });

  // screenshots stay in test/artifacts; UPDATE_SCREENSHOTS=1 also refreshes docs/screenshots (the test
  // command never changes tracked files)
  const keep = (name: string) => {
    if (process.env.UPDATE_SCREENSHOTS !== '1') return;
    mkdirSync(screenshots, { recursive: true });
    copyFileSync(join(ARTIFACTS, `${name}.png`), join(screenshots, `${name}.png`));
  };

  it('the elder taps 我很好 once: a big button, a big confirmation, one check-in', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await ctx.newPage();
    await page.goto(`${platform.api.url}/h5/resident/`);
    await fill(page, 'phone', elder.phone);
    await fill(page, 'password', 'Resident#2026');
    await page.locator('[data-testid="submit"]').first().click();
    const button = page.locator('[data-testid="im-ok"]').first();
    await button.waitFor({ timeout: 20000 });
    await button.getByText('我很好').waitFor();
    const box = (await button.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(64);
    expect(box.width).toBeGreaterThanOrEqual(200);
    await shot(page, 'care-1-resident-im-ok');
    keep('care-1-resident-im-ok');
    await button.click();
    const done = page.locator('[data-testid="checkin-done"]').first();
    await done.getByText('已报平安').waitFor();
    const size = await done.locator('.done-text').first().evaluate((el) => parseFloat((globalThis as any).getComputedStyle(el).fontSize));
    expect(size).toBeGreaterThanOrEqual(32);
    await shot(page, 'care-2-resident-checked-in');
    keep('care-2-resident-checked-in');
    expect(await seriousA11yViolations(page)).toEqual([]);
    const status = expectOk(await elder.http.get(`/api/v1/beneficiaries/${elderProfile}/care-status`), 200, 'status');
    expect(status.checkedInToday).toBe(true);
    const checkIns = (await grid.get(`/api/v1/care/alerts?beneficiaryId=${elderProfile}`)).body.items;
    expect(checkIns).toHaveLength(0);
    await ctx.close();
  }, 90000);

  it('the grid worker\'s 关爱 · 今日 page lists the open alert and today\'s call; resolving it is recorded', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await ctx.newPage();
    await page.goto(`${platform.api.url}/console/`);
    await fill(page, 'login-phone', gridWorker.phone);
    await fill(page, 'login-password', gridWorker.password);
    await page.locator('[data-testid="login-submit"]').first().click();
    await page.locator('[data-testid="nav-care"]').first().click();
    const alerts = page.locator('[data-testid="care-alerts"]');
    await alerts.getByText(`李爷爷${tag}`).waitFor({ timeout: 20000 });
    await alerts.getByText('今天没有报平安').first().waitFor();
    const today = page.locator('[data-testid="care-today"]');
    await today.getByText(elderName).first().waitFor();
    await today.getByText('打电话').first().waitFor();
    await shot(page, 'care-3-console-today', true);
    keep('care-3-console-today');
    const list = (await grid.get('/api/v1/care/alerts?status=open')).body.items;
    const alert = list.find((a: any) => a.beneficiaryId === missedProfile);
    await page.locator(`[data-testid="resolve-${alert.id}"]`).click();
    await until('resolved', async () => {
      const a = (await grid.get(`/api/v1/care/alerts?beneficiaryId=${missedProfile}`)).body.items[0];
      return a?.status === 'resolved' && a.outcome === 'found_well';
    }, 15000);
    await alerts.getByText(`李爷爷${tag}`).waitFor({ state: 'detached' }).catch(() => undefined);
    await ctx.close();
  }, 90000);
  it('the grid worker adds a water meter for a person in the console: its key is shown once, works, and is revoked from the same dialog', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await ctx.newPage();
    await page.goto(`${platform.api.url}/console/`);
    await fill(page, 'login-phone', gridWorker.phone);
    await fill(page, 'login-password', gridWorker.password);
    await page.locator('[data-testid="login-submit"]').first().click();
    await page.locator('[data-testid="nav-beneficiaries"]').first().click();
    await page.locator(`[data-testid="devices-${missedProfile}"]`).first().click();
    const dialog = page.locator('[data-testid="care-devices-dialog"]');
    await dialog.getByText(`李爷爷${tag} 的报平安设备`).waitFor();
    await dialog.getByText('还没有设备').waitFor();
    await fill(page, 'care-device-name', '智能水表');
    await page.locator('[data-testid="care-device-add"]').click();
    const key = (await page.locator('[data-testid="care-device-key"]').innerText()).trim();
    expect(key.length).toBeGreaterThanOrEqual(32);
    await dialog.getByText('只显示这一次').waitFor();
    await shot(page, 'care-4-console-devices', true);
    keep('care-4-console-devices');
    // the meter posts with that key: it counts as today's check-in, and the dialog lists the device, never its key
    expect(await http.post('/api/v1/care/device-check-ins', { note: '今日用水' }, { 'x-device-key': key })).toMatchObject({ status: 201 });
    const [device] = expectOk(await grid.get(`/api/v1/beneficiaries/${missedProfile}/care-devices`), 200, 'devices');
    expect(device).toMatchObject({ name: '智能水表', revokedAt: null });
    expect(JSON.stringify(device)).not.toContain(key);
    await page.locator(`[data-testid="care-device-revoke-${device.id}"]`).click();
    await page.locator('.el-message-box').getByText('停用“智能水表”后').waitFor();
    await page.locator('.el-message-box').getByRole('button', { name: '停用' }).click();
    await page.locator(`[data-testid="care-device-revoked-${device.id}"]`).waitFor();
    expect(await http.post('/api/v1/care/device-check-ins', {}, { 'x-device-key': key })).toMatchObject({ status: 401 });
    await ctx.close();
  }, 90000);
});
