import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Platform, startPlatform } from './support/apps';
import { ARTIFACTS, fill, launchChromium, seriousA11yViolations, shot } from './support/browser';
import { ROOT } from './support/env';
import { Http, until } from './support/http';
import { adminClient, createRegions, createService, expectOk, LatLng, login, offset, randomPhone, registerResident } from './support/world';

/**
 * 数据对接, 数据导入 and 台账导出 in a real browser: the admin registers a webhook to a local receiver
 * (the secret is shown once) and, after an order is placed, sees the delivery in the endpoint's log
 * as 已送达 — the receiver got it; creates an Open311 key; checks a team file with a bad row and sees
 * that row listed (row, column, Chinese message); imports the good rows; downloads the 台账 as CSV.
 * Screenshots go to test/artifacts (docs/screenshots with UPDATE_SCREENSHOTS=1).
 */
describe('UI: interop — webhooks, Open311 keys, spreadsheet import, ledger export', () => {
  const tag = `UI${Date.now() % 100000}`;
  const home: LatLng = { lat: 29.87, lng: 121.55 };
  const staffUser = { phone: randomPhone('138'), password: 'Interop#2026', name: '对接管理员' };
  const code = `UI_IOP_${tag}`;
  const screenshots = join(ROOT, 'docs/screenshots');
  let platform: Platform;
  let http: Http;
  let staff: Http;
  let browser: Browser;
  let page: Page;
  let receiver: Server;
  let receiverUrl = '';
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  let regions: Awaited<ReturnType<typeof createRegions>>;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/web/console/index.html'))) throw new Error('the front ends are not built: run `npm run build:web` (npm test does)');
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks/xinyuan`;
    platform = await startPlatform(`uiinterop-${tag}`, { WEB_DIR: join(ROOT, 'dist/web'), WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_MS: '100' });
    http = new Http(platform.api.url);
    const admin = await adminClient(http);
    regions = await createRegions(admin, home, tag);
    await createService(admin, code, ['errand'], 600);
    expectOk(await admin.post('/api/v1/staff', { ...staffUser, role: 'admin', regionId: regions.county.id }), 201, 'county admin');
    staff = await login(http, staffUser.phone, staffUser.password);
    browser = await launchChromium();
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
    page = await ctx.newPage();
    await page.goto(`${platform.api.url}/console/`);
    await fill(page, 'login-phone', staffUser.phone);
    await fill(page, 'login-password', staffUser.password);
    await page.locator('[data-testid="login-submit"]').first().click();
    await page.locator('[data-testid="nav-data"]').first().waitFor({ timeout: 20000 });
  }, 240000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    receiver?.closeAllConnections();
    await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
  });

  /** The 数据 menu opens on hover; its items are 数据导入, 台账导出, 数据对接. */
  const nav = async (item: string) => {
    await page.locator('[data-testid="nav-data"]').first().hover();
    await page.locator(`[data-testid="${item}"]`).first().click();
    await page.mouse.move(700, 850); // away from the menu: its popup closes before the screenshots
    await page.locator('.el-menu--popup').first().waitFor({ state: 'hidden' }).catch(() => undefined);
  };

  const keep = (name: string) => {
    if (process.env.UPDATE_SCREENSHOTS !== '1') return;
    mkdirSync(screenshots, { recursive: true });
    copyFileSync(join(ARTIFACTS, `${name}.png`), join(screenshots, `${name}.png`));
  };

  it('registers a webhook (secret shown once) and sees a delivery to the local receiver in its log', async () => {
    await nav('nav-interop');
    await fill(page, 'hook-url', receiverUrl);
    await page.locator('[data-testid="hook-register"]').click();
    const secret = page.locator('[data-testid="hook-secret"]');
    await secret.getByText(/whsec_/).waitFor({ timeout: 15000 });
    const hook = (await staff.get('/api/v1/webhooks')).body.items.find((h: any) => h.url === receiverUrl);
    expect(hook).toMatchObject({ status: 'active', events: expect.arrayContaining(['order.placed']) });
    expect(hook.secret).toBeUndefined();

    // an order in the county: the receiver hears order.placed
    const resident = await registerResident(http, '对接居民');
    const order = expectOk(
      await resident.http.post('/api/v1/orders', { serviceCode: code, description: '帮忙买菜', location: offset(home, 100, 100), address: '对接村 1 号', contactPhone: '13912340000' }),
      201,
      'order',
    );
    await until('the receiver got order.placed', async () => received.some((r) => JSON.parse(r.body).data?.orderId === order.id), 30000);
    expect(received.every((r) => String(r.headers['webhook-signature']).startsWith('v1,'))).toBe(true);

    await page.locator(`[data-testid="hook-log-${hook.id}"]`).click();
    const log = page.locator('[data-testid="delivery-table"]');
    await log.getByText('已送达').first().waitFor({ timeout: 15000 });
    await log.getByText('新订单').first().waitFor();
    await shot(page, 'interop-1-webhook-log', true);
    keep('interop-1-webhook-log');
    await page.keyboard.press('Escape');
  }, 120000);

  it('creates an Open311 key for a region (shown once)', async () => {
    await fill(page, 'key-name', '县 12345 热线');
    await page.locator('[data-testid="key-region"]').click();
    await page.locator('.el-select-dropdown__item').getByText(regions.township.name, { exact: true }).click();
    await page.locator('[data-testid="key-create"]').click();
    await page.locator('[data-testid="key-once"]').waitFor({ timeout: 15000 });
    await page.locator('[data-testid="key-table"]').getByText('县 12345 热线').waitFor();
    const keys = (await staff.get('/api/v1/integrations/open311-keys')).body.items;
    expect(keys.find((k: any) => k.name === '县 12345 热线')).toMatchObject({ regionId: regions.township.id });
    await shot(page, 'interop-2-keys', true);
    keep('interop-2-keys');
    expect(await seriousA11yViolations(page)).toEqual([]);
  }, 60000);

  it('checks a team file with a bad row (listed by row, column, message), then imports the good rows', async () => {
    await nav('nav-imports');
    await page.locator('[data-testid="import-kind-teams"]').click();
    const rows = [
      ['队伍名称', '所属区域', '纬度', '经度', '服务半径（米）', '技能', '同时接单上限'],
      [`${tag}助老队`, regions.station.name, String(home.lat), String(home.lng), '3000', '理发', '3'],
      [`${tag}便民队`, '没有这个村', String(home.lat), String(home.lng), '3000', '', '2'],
      [`${tag}青年队`, regions.station.name, String(home.lat), String(home.lng), '2000', '', '5'],
    ];
    const csv = '\uFEFF' + rows.map((r) => r.join(',')).join('\r\n');
    await page.locator('[data-testid="import-file"]').setInputFiles({ name: '队伍.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    await page.locator('[data-testid="import-dry-run"]').click();
    const errors = page.locator('[data-testid="import-errors"]');
    await errors.getByText('您的管辖范围内没有叫「没有这个村」的区域').waitFor({ timeout: 15000 });
    await errors.getByText('所属区域').first().waitFor();
    await page.locator('[data-testid="import-summary"]').getByText('有问题 1 行').waitFor();
    await shot(page, 'interop-3-import-dry-run', true);
    keep('interop-3-import-dry-run');
    expect((await staff.get('/api/v1/teams?limit=100')).body.items.filter((t: any) => t.name.startsWith(tag))).toHaveLength(0);

    await page.locator('[data-testid="import-mode-row"]').click();
    await page.locator('[data-testid="import-run"]').click();
    await page.locator('[data-testid="import-outcome"]').getByText('导入完成（有问题的行没有导入）').waitFor({ timeout: 30000 });
    await page.locator('[data-testid="import-summary"]').getByText('新增 2').waitFor();
    const teams = (await staff.get('/api/v1/teams?limit=100')).body.items.filter((t: any) => t.name.startsWith(tag));
    expect(teams.map((t: any) => t.name).sort()).toEqual([`${tag}助老队`, `${tag}青年队`].sort());
    await shot(page, 'interop-4-import-done', true);
    keep('interop-4-import-done');
  }, 90000);

  it('downloads the 台账 as CSV from the ledger screen', async () => {
    await nav('nav-ledger');
    await page.locator('[data-testid="ledger-csv"]').waitFor();
    await shot(page, 'interop-5-ledger', true);
    keep('interop-5-ledger');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="ledger-csv"]').click()]);
    const text = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    expect(text.split('\r\n')[0]).toBe('下单时间,订单号,服务项目,区域,服务队,志愿者,服务时长（分钟）,评分,是否解决,状态,服务对象');
    expect(text).toContain(`测试服务${code}`);
  }, 60000);
});
