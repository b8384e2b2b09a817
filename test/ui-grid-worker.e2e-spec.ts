import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Platform, startPlatform } from './support/apps';
import { ARTIFACTS, fill as fillField, launchChromium, seriousA11yViolations, shot } from './support/browser';
import { ROOT } from './support/env';
import { Http, until } from './support/http';
import { preferredTimeText } from '../apps/web-shared/time';
import { pendingOfferFor } from './support/jurisdiction-world';
import { adminClient, createRegions, createTeam, CreatedTeam, expectOk, LatLng, login, offset, randomPhone } from './support/world';

/**
 * 一人一档 and 代点单 in the console, in a real browser: a grid worker (网格员) signs in, sees only the
 * beneficiaries page (no dispatch queue), records an elder with the location picked on the map,
 * places an order on her behalf from the menu, follows and cancels it, archives a profile. The API
 * confirms the order is the profile's, for the chosen service, placed on her behalf, and dispatched
 * like any other. axe-core finds no serious or critical violation on the page and its dialogs.
 */
describe('UI: grid worker — beneficiary profiles and ordering on their behalf (代点单)', () => {
  const tag = `G${Date.now() % 100000}`;
  // far from every other test file's regions (they share the test database): profiles must fall in our own village
  const home: LatLng = { lat: 26.0812, lng: 119.2965 };
  const serviceCode = `VISIT_${tag}`;
  const serviceName = `上门探访${tag}`;
  const skill = `visit_${tag.toLowerCase()}`;
  const gridWorker = { phone: randomPhone('136'), password: 'GridWorker#2026', name: '陈网格' };
  const elder = { name: `李秀兰${tag}`, address: `幸福村 8 幢 102 室`, phone: randomPhone('139') };
  let platform: Platform;
  let http: Http;
  let admin: Http;
  let dispatcher: Http;
  const dispatcherPhone = randomPhone('138');
  let grid: Http;
  let regions: Awaited<ReturnType<typeof createRegions>>;
  let team: CreatedTeam;
  let seeded: any; // a profile the grid worker recorded through the API before signing in to the console
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let elderId = '';
  let orderId = '';
  const a11y: Record<string, unknown[]> = {};
  const forbidden: string[] = [];
  const foreign: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/web/console/index.html'))) throw new Error('the console is not built: run `npm run build:web` (npm test does)');
    platform = await startPlatform(`uigrid-${tag}`, { WEB_DIR: join(ROOT, 'dist/web') });
    http = new Http(platform.api.url);
    admin = await adminClient(http);
    regions = await createRegions(admin, home, tag);
    expectOk(await admin.post('/api/v1/services', {
      code: serviceCode, name: serviceName, group: '关爱服务', requiredSkills: [skill], acceptTimeoutSeconds: 1800, requiresReview: false,
    }), 201, 'service');
    team = await createTeam(http, admin, regions.station.id, { name: `邻里守望队${tag}`, location: offset(home, 300, 200), serviceRadiusM: 5000, skills: [skill], capacity: 3, members: 1 });
    expectOk(await admin.post('/api/v1/staff', { phone: dispatcherPhone, name: '林调度', password: 'Dispatch#2026', role: 'dispatcher', regionId: regions.county.id }), 201, 'dispatcher');
    dispatcher = await login(http, dispatcherPhone, 'Dispatch#2026');
    // the grid worker's grid is the village: created by an admin, as in real life
    expectOk(await admin.post('/api/v1/staff', { ...gridWorker, role: 'grid_worker', regionId: regions.station.id }), 201, 'grid worker');
    grid = await login(http, gridWorker.phone, gridWorker.password);
    seeded = expectOk(await grid.post('/api/v1/beneficiaries', {
      name: `王桂英${tag}`, ageBand: '80_plus', address: '幸福村 3 幢 201 室', location: offset(home, -400, 250), phone: randomPhone('139'), tags: ['living_alone'],
    }), 201, 'seeded profile');

    browser = await launchChromium();
    ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    ctx.setDefaultTimeout(15000);
    ctx.on('request', (r) => {
      const host = new URL(r.url()).hostname;
      if (!['127.0.0.1', 'localhost'].includes(host) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) foreign.push(r.url());
    });
    // a grid worker's console calls nothing that answers 403 (no queue, map of open orders, dashboard …)
    ctx.on('response', (r) => {
      if (r.status() === 403) forbidden.push(`${r.request().method()} ${new URL(r.url()).pathname}`);
    });
    page = await ctx.newPage();
  }, 180000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  const testId = (id: string) => page.locator(`[data-testid="${id}"]`);
  const fill = (id: string, value: string) => fillField(page, id, value);
  const checkA11y = async (screen: string) => {
    await page.waitForTimeout(400); // dialog transitions
    a11y[screen] = await seriousA11yViolations(page);
  };
  const benRow = (name: string) => page.locator('[data-testid="beneficiaries-table"] .el-table__body-wrapper tr', { hasText: name });

  it('a grid worker signs in and lands on the beneficiaries page, with no dispatch navigation', async () => {
    await page.goto(`${platform.api.url}/console/`);
    await fill('login-phone', gridWorker.phone);
    await fill('login-password', gridWorker.password);
    await testId('login-submit').click();
    await page.waitForURL(/#\/beneficiaries$/);
    await testId('nav-beneficiaries').getByText('居民档案').waitFor();
    for (const nav of ['nav-queue', 'nav-map', 'nav-dashboard', 'nav-menu', 'nav-teams', 'nav-staff']) {
      await expect(testId(nav).count()).resolves.toBe(0);
    }
    await expect(testId('who').innerText()).resolves.toContain('网格员');
    // the profile recorded earlier, with its official category (visible to the grid worker of the grid)
    const row = benRow(seeded.name);
    await row.getByText('独居老人').waitFor();
    await expect(row.innerText()).resolves.toMatch(/139\*{4}\d{4}/);
    await checkA11y('beneficiaries list');

    // a link to the queue (an old bookmark) brings them back to their own page instead of a 403
    await page.goto(`${platform.api.url}/console/#/queue`);
    await page.waitForURL(/#\/beneficiaries$/);
    await benRow(seeded.name).waitFor();
  });

  it('records an elder: name, age, address typed, location picked on the map, phone, category, guardian', async () => {
    await testId('new-beneficiary').click();
    const dialog = testId('beneficiary-dialog');
    await dialog.locator('[data-testid="geomap"] path').first().waitFor();
    await fill('ben-name', elder.name);
    // no age band is chosen for her: a default would file every new person as 80 岁及以上
    await expect(dialog.locator('[data-testid="ben-age"] .is-active').count()).resolves.toBe(0);
    await testId('ben-age-80_plus').click();
    await fill('ben-address', elder.address);
    // a mistyped phone: the API's answer (message, field, code) is shown in the dialog
    await fill('ben-phone', '12345');
    await testId('ben-tag-living_alone').click();
    await testId('ben-tag-disability').click();
    await fill('ben-guardian-name', '李建国');
    await fill('ben-guardian-phone', randomPhone('137'));
    await fill('ben-guardian-relation', '儿子');
    // the map opens on the grid worker's own village; a tap a little north-east of its centre is where she lives
    const box = (await dialog.locator('[data-testid="geomap"]').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2 + 30, box.y + box.height / 2 - 30);
    await testId('ben-location').getByText('已选位置').waitFor();
    await dialog.locator('[data-testid="picked-marker"]').waitFor();
    await testId('ben-save').click();
    const error = testId('ben-error');
    await error.getByText('VALIDATION_FAILED').waitFor();
    await expect(error.innerText()).resolves.toMatch(/phone[\s\S]*mobile or landline/);
    await fill('ben-phone', elder.phone);
    await checkA11y('profile dialog');
    await shot(page, 'console-grid-1-new-profile');
    await testId('ben-save').click();
    await testId('beneficiary-dialog').waitFor({ state: 'hidden' });
    const row = benRow(elder.name);
    await row.getByText('残疾').waitFor();
    await expect(row.innerText()).resolves.toContain('80 岁及以上');

    // the API has her, in the grid worker's village, where the map was tapped
    const list = expectOk(await grid.get(`/api/v1/beneficiaries?q=${encodeURIComponent(elder.name)}`), 200, 'search');
    expect(list.items.map((b: any) => b.name)).toEqual([elder.name]);
    elderId = list.items[0].id;
    const profile = expectOk(await grid.get(`/api/v1/beneficiaries/${elderId}`), 200, 'profile');
    expect(profile).toMatchObject({ address: elder.address, phone: elder.phone, regionId: regions.station.id, tags: ['living_alone', 'disability'],
      guardian: { name: '李建国', relation: '儿子' } });
    expect(Math.abs(profile.location.lat - home.lat)).toBeLessThan(0.05);
    expect(Math.abs(profile.location.lng - home.lng)).toBeLessThan(0.05);
  });

  it('finds her by name (search) and edits the profile', async () => {
    await fill('ben-search', '李秀兰');
    await testId('ben-search-submit').click();
    await until('search applied', async () => (await page.locator('[data-testid="beneficiaries-table"] .el-table__body-wrapper tr').count()) === 1);
    await benRow(elder.name).waitFor();
    await benRow(elder.name).getByRole('button', { name: '编辑' }).click();
    await until('profile loaded', async () => (await page.locator('input[data-testid="ben-address"]').inputValue()) === elder.address);
    await fill('ben-address', `${elder.address}（东门进）`);
    await testId('ben-save').click();
    await testId('beneficiary-dialog').waitFor({ state: 'hidden' });
    await until('address saved', async () => (await grid.get(`/api/v1/beneficiaries/${elderId}`)).body.address === `${elder.address}（东门进）`);
    elder.address = `${elder.address}（东门进）`;
    await fill('ben-search', '');
    await testId('ben-search-submit').click();
    await benRow(seeded.name).waitFor();
  });

  it('places an order on her behalf (代点单) from the menu and sees its status', async () => {
    await benRow(elder.name).getByRole('button', { name: '代点单' }).click();
    const dialog = testId('order-for-dialog');
    await dialog.getByText(`为「${elder.name}」代点单`).waitFor();
    await testId('order-service').click();
    await page.keyboard.type(serviceName);
    await page.locator('.el-select-dropdown__item:visible', { hasText: serviceName }).click();
    await testId('order-when-tomorrowAm').click();
    await fill('order-description', '老人独居、行动不便，请志愿者上门探访，陪她说说话');
    await checkA11y('order dialog');
    await shot(page, 'console-grid-2-order-form');
    await testId('order-submit').click();
    await testId('order-placed').waitFor();
    await expect(testId('placed-status').innerText()).resolves.toMatch(/派单中|等待接单/);
    await shot(page, 'console-grid-3-order-placed');
    await testId('order-placed-close').click();
    const myOrders = page.locator('[data-testid="my-orders"] .el-table__body-wrapper tr', { hasText: serviceName });
    await myOrders.getByText(elder.name).waitFor();
    // dispatch moves on by itself: the grid worker follows it on the page
    await until('offered, on the page', async () => {
      await testId('my-orders-refresh').click();
      await page.waitForTimeout(300);
      return /等待接单/.test(await myOrders.innerText());
    }, 20000);
    await checkA11y('beneficiaries with orders');
    await shot(page, 'console-grid-4-beneficiaries');
  });

  it('the API: the order is hers, for that service, placed on her behalf, and dispatched normally', async () => {
    // the dispatcher of the county sees it among the orders of the jurisdiction
    const listed = expectOk(await dispatcher.get('/api/v1/orders?limit=100'), 200, 'dispatcher orders');
    const mine = listed.items.filter((o: any) => o.beneficiaryId === elderId);
    expect(mine).toHaveLength(1);
    orderId = mine[0].id;
    const order = expectOk(await dispatcher.get(`/api/v1/orders/${orderId}`), 200, 'order');
    expect(order).toMatchObject({
      serviceCode, serviceName, beneficiaryId: elderId, onBehalf: true, address: elder.address, contactPhone: elder.phone, regionId: regions.station.id, urgent: false,
    });
    expect(order.preferredStart).toBeTruthy();
    expect(Date.parse(order.preferredEnd) - Date.parse(order.preferredStart)).toBeLessThanOrEqual(4 * 3600 * 1000);
    // the same day-part choice as the resident app, in China time whatever the browser's zone
    expect(preferredTimeText(order.preferredStart, order.preferredEnd, 'zh')).toBe('明天上午 08:00–12:00');
    expect(order.timeline[0]).toMatchObject({ type: 'placed', actorRole: 'grid_worker', toStatus: 'dispatching' });
    // dispatched like any other order: offered to the team whose skills and area fit
    const offer = await pendingOfferFor(team, orderId);
    expect(offer.teamId).toBe(team.id);
    expect(offer.order.serviceCode).toBe(serviceCode);
    const now = expectOk(await dispatcher.get(`/api/v1/orders/${orderId}`), 200, 'order');
    expect(now.status).toBe('offered');
    expect(now.timeline.map((e: any) => e.type)).toEqual(expect.arrayContaining(['placed', 'offer']));
    // and the grid worker's own list holds it
    const placedByMe = expectOk(await grid.get('/api/v1/orders?mine=true'), 200, 'grid orders');
    expect(placedByMe.items.map((o: any) => o.id)).toContain(orderId);
  });

  it('follows the order in a drawer and cancels it; archives a profile after confirming', async () => {
    await testId(`my-order-open-${orderId}`).click();
    const drawer = testId('order-drawer');
    await drawer.getByText('网格员').first().waitFor();
    await drawer.getByText(elder.address).waitFor();
    await shot(page, 'console-grid-5-order-drawer');
    await drawer.locator('.el-drawer__close-btn').click();
    await drawer.waitFor({ state: 'hidden' });

    await testId(`my-order-cancel-${orderId}`).click();
    const box = page.locator('.el-message-box');
    await box.locator('input').fill('家属已陪同，无需上门');
    await box.getByRole('button', { name: '取消订单' }).click();
    await testId(`my-order-status-${orderId}`).getByText('已取消').waitFor();
    const cancelled = expectOk(await dispatcher.get(`/api/v1/orders/${orderId}`), 200, 'order');
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.timeline.at(-1)).toMatchObject({ type: 'cancel', actorRole: 'grid_worker', note: '家属已陪同，无需上门' });

    await benRow(seeded.name).getByRole('button', { name: '归档' }).click();
    await page.locator('.el-message-box').getByText(`确定将「${seeded.name}」的档案归档吗？`, { exact: false }).waitFor();
    await page.locator('.el-message-box').getByRole('button', { name: '归档' }).click();
    await benRow(seeded.name).waitFor({ state: 'detached' });
    expect((await grid.get(`/api/v1/beneficiaries/${seeded.id}`)).status).toBe(404);
    await benRow(elder.name).waitFor();
  });

  it('switches to English', async () => {
    await page.locator('[data-testid="lang-switch"]').getByText('EN').click();
    await testId('nav-beneficiaries').getByText('Beneficiaries').waitFor();
    await benRow(elder.name).getByRole('button', { name: 'Order for this person' }).waitFor();
    await page.locator('[data-testid="lang-switch"]').getByText('中文').click();
  });

  it('a dispatcher still starts on the live queue, and has the beneficiaries page too (the profiles of the county)', async () => {
    const staffCtx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    try {
      const p = await staffCtx.newPage();
      await p.goto(`${platform.api.url}/console/`);
      await p.locator('input[data-testid="login-phone"]').fill(dispatcherPhone);
      await p.locator('input[data-testid="login-password"]').fill('Dispatch#2026');
      await p.locator('[data-testid="login-submit"]').click();
      await p.waitForURL(/#\/queue$/);
      await p.locator('[data-testid="nav-queue"]').waitFor();
      await p.locator('[data-testid="nav-beneficiaries"]').click();
      await p.locator('[data-testid="beneficiaries-table"] .el-table__body-wrapper tr', { hasText: elder.name }).getByText('独居老人').waitFor();
    } finally {
      await staffCtx.close();
    }
  });

  it('loaded nothing from a third-party host and called nothing that answered 403', () => {
    expect(foreign).toEqual([]);
    expect(forbidden).toEqual([]);
  });

  it('the page and its dialogs have no serious or critical accessibility violations (axe-core)', () => {
    writeFileSync(join(ARTIFACTS, 'axe-console-grid-worker.json'), JSON.stringify(a11y, null, 2));
    expect(Object.keys(a11y).sort()).toEqual(['beneficiaries list', 'beneficiaries with orders', 'order dialog', 'profile dialog']);
    expect(a11y).toEqual({ 'beneficiaries list': [], 'beneficiaries with orders': [], 'order dialog': [], 'profile dialog': [] });
  });
});
