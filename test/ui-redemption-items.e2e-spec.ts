import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { Platform, startPlatform } from './support/apps';
import { ARTIFACTS, field, launchChromium, seriousA11yViolations, shot } from './support/browser';
import { ROOT } from './support/env';
import { Http, until } from './support/http';
import { adminClient, createRegions, expectOk, LatLng, login, randomPhone } from './support/world';

/**
 * The console's 爱心超市 page in a real browser: a county dispatcher adds an item of their county with
 * its points price, changes the price, and retires it (after a plain-words confirmation); each step is
 * what the api then holds. Screenshots go to test/artifacts (docs/screenshots with UPDATE_SCREENSHOTS=1).
 */
describe('UI: the 爱心超市 catalogue in the console', () => {
  const tag = `UR${Date.now() % 100000}`;
  const home: LatLng = { lat: 28.3, lng: 120.1 };
  const dispatcher = { phone: randomPhone('138'), password: 'Dispatch#2026' };
  const screenshots = join(ROOT, 'docs/screenshots');
  let platform: Platform;
  let staff: Http;
  let countyId: string;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/web/console/index.html'))) throw new Error('the front ends are not built: run `npm run build:web` (npm test does)');
    platform = await startPlatform(`uiredeem-${tag}`, { WEB_DIR: join(ROOT, 'dist/web') }, { relay: false });
    const http = new Http(platform.api.url);
    const admin = await adminClient(http);
    const { county } = await createRegions(admin, home, tag);
    countyId = county.id;
    expectOk(await admin.post('/api/v1/staff', { ...dispatcher, name: '站长', role: 'dispatcher', regionId: county.id }), 201, 'dispatcher');
    staff = await login(http, dispatcher.phone, dispatcher.password);
    // one item already there, so the list is not empty when the page opens
    expectOk(await staff.post('/api/v1/redemption-items', { regionId: county.id, name: '鸡蛋 10 个', points: 8 }), 201, 'egg');
    browser = await launchChromium();
  }, 240000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  const keep = (name: string) => {
    if (process.env.UPDATE_SCREENSHOTS !== '1') return;
    mkdirSync(screenshots, { recursive: true });
    copyFileSync(join(ARTIFACTS, `${name}.png`), join(screenshots, `${name}.png`));
  };
  const itemsNow = async () => expectOk(await staff.get('/api/v1/redemption-items?includeRetired=true'), 200, 'items') as any[];

  it('adds an item with its price, reprices it, and retires it after a confirmation', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await ctx.newPage();
    await page.goto(`${platform.api.url}/console/`);
    await field(page, 'login-phone').fill(dispatcher.phone);
    await field(page, 'login-password').fill(dispatcher.password);
    await page.locator('[data-testid="login-submit"]').first().click();
    await page.locator('[data-testid="nav-service"]').first().hover(); // the 志愿服务 menu opens on hover
    await page.locator('[data-testid="nav-redemption-items"]').first().click();
    const table = page.locator('[data-testid="redemption-items"]');
    await table.getByText('鸡蛋 10 个').waitFor({ timeout: 20000 });

    // add: the region defaults to the first of the dispatcher's jurisdiction (their county)
    await page.locator('[data-testid="add-item"]').click();
    await field(page, 'item-name').fill('大米 5 斤');
    await field(page, 'item-points').fill('30');
    await page.locator('[data-testid="item-save"]').click();
    await table.getByText('大米 5 斤').waitFor();
    const rice = await until('rice saved', async () => (await itemsNow()).find((i) => i.name === '大米 5 斤'), 10000);
    expect(rice).toMatchObject({ regionId: countyId, points: 30, active: true });
    await page.locator('.el-message').first().waitFor({ state: 'detached', timeout: 10000 }).catch(() => undefined); // the 已保存 toast, off the picture
    await shot(page, 'redemption-items-console', true);
    keep('redemption-items-console');
    expect(await seriousA11yViolations(page)).toEqual([]);

    // reprice
    await page.locator(`[data-testid="edit-item-${rice.id}"]`).click();
    await field(page, 'item-points').fill('25');
    await page.locator('[data-testid="item-save"]').click();
    await until('repriced', async () => (await itemsNow()).find((i) => i.id === rice.id)?.points === 25, 10000);

    // retire, after a confirmation in plain words
    await page.locator(`[data-testid="retire-item-${rice.id}"]`).click();
    const box = page.locator('.el-message-box');
    await box.getByText('下架后志愿者就不能再兑换「大米 5 斤」了', { exact: false }).waitFor();
    await box.getByRole('button', { name: '下架', exact: true }).click();
    await until('retired', async () => (await itemsNow()).find((i) => i.id === rice.id)?.active === false, 10000);
    await table.getByText('大米 5 斤').waitFor({ state: 'detached' });
    await page.locator('[data-testid="items-show-retired"]').click();
    await table.getByText('已下架').waitFor();
    await ctx.close();
  }, 120000);
});
