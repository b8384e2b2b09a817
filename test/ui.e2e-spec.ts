import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort, RunningApp, startApp, testEnv } from './support/apps';
import { ARTIFACTS, field, fill, launchChromium, seriousA11yViolations, shot } from './support/browser';
import { ROOT } from './support/env';
import { Http, until } from './support/http';
import { readSmsCode, smsMark } from './support/sms-codes';
import { adminClient, createRegions, createTeam, CreatedTeam, expectOk, LatLng, login, offset, randomPhone } from './support/world';

/**
 * The whole story through the three UIs in a real browser (Debian's Chromium): a resident orders
 * on the H5 site, the console shows it live and a dispatcher approves it, a volunteer accepts,
 * checks in and completes on the volunteer H5 site, the resident rates, and the console dashboard
 * counts it. Screenshots of every screen go to test/artifacts/; the resident H5 passes axe-core
 * with no serious or critical violation.
 */
describe('UI: resident H5 → console → volunteer H5 → rating → dashboard', () => {
  const tag = `U${Date.now() % 100000}`;
  // far from every other test file's regions (they share the test database): this order must fall in our own station
  const home: LatLng = { lat: 28.4612, lng: 117.9521 };
  const serviceCode = `HAIRCUT_${tag}`;
  const resident = { phone: randomPhone('137'), password: 'Resident#2026', name: '王奶奶' };
  const staff = { phone: randomPhone('138'), password: 'Dispatch#2026' };
  let api: RunningApp;
  let dispatcher: RunningApp;
  let rating: RunningApp;
  let admin: Http;
  let regions: Awaited<ReturnType<typeof createRegions>>;
  let team: CreatedTeam;
  let browser: Browser;
  let residentCtx: BrowserContext;
  let volunteerCtx: BrowserContext;
  let consoleCtx: BrowserContext;
  let orderId = '';
  const a11y: Record<string, unknown[]> = {};
  const foreign: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/web/h5/resident/index.html')) || !existsSync(join(ROOT, 'dist/web/console/index.html'))) {
      throw new Error('the front ends are not built: run `npm run build:web` (npm test does)');
    }
    // the deployment's home region is this test's county: a new resident's map picker opens there
    const env = testEnv(`ui-${tag}`, { WEB_DIR: join(ROOT, 'dist/web'), LIVE_QUEUE_EXPIRING_SECONDS: '3600', LIVE_QUEUE_REFRESH_MS: '1000', MAP_HOME_REGION: `测试县${tag}` });
    // residents rate from the H5 site the api serves: the rating app allows that origin (CORS)
    const apiPort = await freePort();
    rating = await startApp('rating', { ...env, CORS_ORIGINS: `http://127.0.0.1:${apiPort}` });
    [api, dispatcher] = await Promise.all([startApp('api', { ...env, RATING_PUBLIC_URL: rating.url }, apiPort), startApp('dispatcher', env)]);
    const http = new Http(api.url);
    admin = await adminClient(http);
    regions = await createRegions(admin, home, tag);
    expectOk(await admin.post('/api/v1/services', {
      code: serviceCode, name: `上门理发${tag}`, group: '生活服务', requiredSkills: [`haircut_${tag.toLowerCase()}`], acceptTimeoutSeconds: 1800, requiresReview: true,
    }), 201, 'service');
    team = await createTeam(http, admin, regions.station.id, { name: `银龄互助队${tag}`, location: offset(home, 250, -150), serviceRadiusM: 5000, skills: [`haircut_${tag.toLowerCase()}`], capacity: 3, members: 2 });
    await createTeam(http, admin, regions.station.id, { name: `党员先锋队${tag}`, location: offset(home, -1800, 900), serviceRadiusM: 6000, skills: [`haircut_${tag.toLowerCase()}`], capacity: 5, members: 1 });
    expectOk(await admin.post('/api/v1/staff', { phone: staff.phone, name: '李调度', password: staff.password, role: 'dispatcher', regionId: regions.county.id }), 201, 'staff');
    browser = await launchChromium();
    const mobile = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
    residentCtx = await browser.newContext({ ...mobile, geolocation: { latitude: home.lat, longitude: home.lng }, permissions: ['geolocation'] });
    volunteerCtx = await browser.newContext({ ...mobile, geolocation: { latitude: home.lat + 0.0001, longitude: home.lng }, permissions: ['geolocation'] });
    consoleCtx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
    for (const ctx of [residentCtx, volunteerCtx, consoleCtx]) {
      ctx.setDefaultTimeout(15000);
      // nothing the UIs load may come from anywhere but our own servers (privacy, and no internet needed)
      ctx.on('request', (r) => {
        const host = new URL(r.url()).hostname;
        if (!['127.0.0.1', 'localhost'].includes(host) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) foreign.push(r.url());
      });
    }
  }, 180000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([api?.stop(), dispatcher?.stop(), rating?.stop()]);
  });

  const h5 = (app: string) => `${api.url}/h5/${app}/`;
  const tap = (page: Page, testId: string) => page.locator(`[data-testid="${testId}"]`).first().click();
  const small: Record<string, string[]> = {};
  const checkA11y = async (page: Page, screen: string) => {
    await page.waitForTimeout(300);
    a11y[screen] = await seriousA11yViolations(page);
    small[screen] = await smallText(page);
  };
  /** Visible text under 20 px on a resident screen (the elder-friendly minimum). */
  const smallText = (page: Page) =>
    page.evaluate(() => {
      const g = globalThis as any;
      const out: string[] = [];
      const walker = g.document.createTreeWalker(g.document.body, g.NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent?.trim();
        const el = n.parentElement;
        if (!text || !el) continue;
        const box = el.getBoundingClientRect();
        const style = g.getComputedStyle(el);
        if (!box.width || !box.height || style.visibility === 'hidden' || style.display === 'none') continue;
        if (parseFloat(style.fontSize) < 20) out.push(`${text.slice(0, 30)} (${style.fontSize})`);
      }
      return out;
    });
  /** Uncaught errors and console errors of a console page (an uncaught 401 after signing out was one). */
  const pageErrors: string[] = [];

  let residentPage: Page;

  it('a resident registers and orders on the H5 site: menu by group, device location, address, description', async () => {
    const page = (residentPage = await residentCtx.newPage());
    await page.goto(h5('resident'));
    await page.getByText('没有账号？点这里注册').waitFor();
    // English mode names the page in English too (the navigation bar), and back
    await tap(page, 'lang');
    await page.locator('.uni-page-head__title').getByText('Xinyuan · Residents').waitFor();
    await tap(page, 'lang');
    await page.locator('.uni-page-head__title').getByText('心愿 · 居民服务').waitFor();
    await shot(page, 'resident-1-login');
    await checkA11y(page, 'login');
    await page.getByText('没有账号？点这里注册').click();
    await fill(page, 'phone', resident.phone);
    await fill(page, 'name', resident.name);
    // registration proves the phone: ask for the code, read it from the phone (the dev SMS sender's line)
    const mark = smsMark();
    await tap(page, 'send-code');
    await page.getByText('验证码已发到您的手机').waitFor();
    await page.getByText(/秒后可重发/).waitFor();
    await fill(page, 'sms-code', await readSmsCode(resident.phone, mark));
    await fill(page, 'password', resident.password);
    await shot(page, 'resident-1b-register');
    await tap(page, 'submit');
    await page.getByText(`您好，${resident.name}`).waitFor();
    // on H5 the refresh token lives in sessionStorage only, never in localStorage
    const stored = await page.evaluate(() => {
      const w = globalThis as unknown as { localStorage: object; sessionStorage: object };
      return { local: JSON.stringify({ ...w.localStorage }), session: JSON.stringify({ ...w.sessionStorage }) };
    });
    expect(stored.local).not.toContain('refreshToken');
    expect(stored.session).toMatch(/xinyuan\.session\.[a-z]+\.refresh/);
    await shot(page, 'resident-2-home');
    await checkA11y(page, 'home');

    await tap(page, 'go-order');
    await page.locator(`[data-testid="service-${serviceCode}"]`).waitFor();
    await expect(page.getByText('生活服务').first().isVisible()).resolves.toBe(true);
    await shot(page, 'resident-3-menu');
    await checkA11y(page, 'menu');
    await tap(page, `service-${serviceCode}`);
    await page.locator('[data-testid="service-name"]').getByText(`上门理发${tag}`).waitFor();
    // 在地图上点选 opens on the deployment's county (this resident has no order yet), never on every region:
    // a tap on the township goes in, a tap in the village places the point
    await tap(page, 'pick-on-map');
    const hint = page.locator('[data-testid="map-picker-hint"]');
    await hint.getByText(`测试县${tag}`).waitFor();
    // the county's outline and its one township, named on the map
    await expect(page.locator('[data-testid="map-picker"] path').count()).resolves.toBe(2);
    await page.locator('.map-label', { hasText: `测试镇${tag}` }).waitFor();
    const mapBox = async () => (await page.locator('[data-testid="map-picker"]').boundingBox())!;
    let box = await mapBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await hint.getByText(`点一下您家的位置 · 测试镇${tag}`).waitFor();
    await page.locator('[data-testid="map-zoom-out"]').waitFor();
    box = await mapBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.locator('[data-testid="location-set"]').waitFor();
    await shot(page, 'resident-4a-map-picker');
    await tap(page, 'use-location');
    await fill(page, 'address', '测试村 12 号');
    // 希望什么时候来: big choices, no calendar
    await tap(page, 'when-day-1');
    await tap(page, 'when-part-morning');
    await page.locator('[data-testid="when-chosen"]').getByText('明天上午 08:00–12:00').waitFor();
    await fill(page, 'description', '腿脚不便');
    await shot(page, 'resident-4-order-form', true);
    await checkA11y(page, 'order form');
    // a point outside every region is refused by the api (422 OUT_OF_SERVICE_AREA): the resident reads what to do
    await page.route('**/api/v1/orders', (route) => (route.request().method() === 'POST'
      ? route.fulfill({ status: 422, contentType: 'application/json', body: JSON.stringify({ statusCode: 422, error: 'Unprocessable Entity', message: '该位置不在服务范围内', code: 'OUT_OF_SERVICE_AREA', fields: [{ field: 'location', messages: ['outside every region'] }] }) })
      : route.continue()), { times: 1 });
    await tap(page, 'submit-order');
    await page.locator('.error').getByText('这个位置不在我们的服务范围内').waitFor();
    await expect(page.locator('.error').innerText()).resolves.not.toMatch(/OUT_OF_SERVICE_AREA|location/);
    // typed fast and sent at once: the last keystrokes (uni-app passes them on up to 100 ms late) are in the order
    await field(page, 'description').pressSequentially('，想请人上门理发', { delay: 5 });
    await tap(page, 'submit-order');
    await page.locator('[data-testid="order-status"]').getByText('待审核').waitFor();
    orderId = new URL(page.url().replace('#/', '')).searchParams.get('id') ?? '';
    expect(orderId).toMatch(/^[0-9a-f-]{36}$/);
    await page.locator('[data-testid="order-preferred"]').getByText('明天上午 08:00–12:00').waitFor();
    await shot(page, 'resident-5-order-placed');
    await checkA11y(page, 'order status');
  });

  let consolePage: Page;

  it('the console shows the order live; a dispatcher opens it, sees the explained candidates and approves it', async () => {
    const page = (consolePage = await consoleCtx.newPage());
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(`console: ${m.text()}`));
    await page.goto(`${api.url}/console/`);
    await fill(page, 'login-phone', staff.phone);
    await fill(page, 'login-password', staff.password);
    await shot(page, 'console-1-login');
    await tap(page, 'login-submit');
    await page.locator('[data-testid="queue-live"]').getByText('实时').waitFor();
    const row = page.locator('[data-testid="queue-table"] tr', { hasText: `上门理发${tag}` });
    await row.getByText('待审核').waitFor();
    await shot(page, 'console-2-queue');

    await expect(row.locator('[data-testid="queue-preferred"]').innerText()).resolves.toBe('明天上午 08:00–12:00');
    await page.locator(`[data-testid="open-${orderId}"]`).click();
    await page.locator('[data-testid="order-status"]').getByText('待审核').waitFor();
    await page.locator('[data-testid="order-preferred"]').getByText('明天上午 08:00–12:00').waitFor();
    // every character the resident typed before tapping 提交 arrived
    await page.locator('[data-testid="order-detail"]').getByText('腿脚不便，想请人上门理发', { exact: true }).waitFor();
    // the mini-map's legend fits in its box
    const legend = await page.locator('[data-testid="map-legend"]').evaluate((el) => ({ overflow: el.scrollWidth - el.clientWidth, bottom: el.getBoundingClientRect().bottom, box: el.parentElement!.getBoundingClientRect().bottom }));
    expect(legend.overflow).toBeLessThanOrEqual(0);
    expect(legend.bottom).toBeLessThanOrEqual(legend.box + 0.5);
    const candidates = page.locator('[data-testid="candidates"]');
    await candidates.getByText(team.name).waitFor();
    // the score explained: expand the best candidate's breakdown
    await candidates.locator('.el-table__expand-icon').first().click();
    await candidates.getByText('空闲程度').first().waitFor();
    await candidates.getByText('属地').first().waitFor();
    await page.locator('[data-testid="timeline"]').getByText('下单', { exact: true }).waitFor();
    await expect(page.locator('[data-testid="geomap"] path').count()).resolves.toBeGreaterThanOrEqual(3);
    await shot(page, 'console-3-order-detail', true);

    await tap(page, 'approve');
    await page.locator('[data-testid="order-status"]').getByText(/等待接单|派单中/).waitFor();
    // back on the queue, it is now an offer with a countdown to its expiry
    await page.goto(`${api.url}/console/#/queue`);
    const offered = page.locator('[data-testid="queue-table"] tr', { hasText: `上门理发${tag}` });
    await offered.getByText('即将超时').waitFor();
    await expect(offered.locator('[data-testid="countdown"]').innerText()).resolves.toMatch(/^(29|30):\d\d$/);
    await shot(page, 'console-4-queue-countdown');
  });

  it('a volunteer sees the offer with a countdown, accepts, checks in with the device location and completes', async () => {
    const page = await volunteerCtx.newPage();
    await page.goto(h5('volunteer'));
    await fill(page, 'phone', team.members[0].phone);
    await fill(page, 'password', 'Volunteer#2026');
    await tap(page, 'submit');
    const offer = page.locator(`[data-testid="offer-${orderId}"]`);
    await offer.waitFor();
    await expect(offer.locator('[data-testid="offer-countdown"]').innerText()).resolves.toMatch(/剩余 (29|30):\d\d/);
    await expect(offer.locator('[data-testid="offer-preferred"]').innerText()).resolves.toBe('希望时间：明天上午 08:00–12:00');
    // how far, to the kilometre: enough to decide, not enough to find the door
    await expect(offer.locator('[data-testid="offer-distance"]').innerText()).resolves.toMatch(/^离服务队(不到 1 公里|约 \d+ 公里)$/);
    // 待接派单 stays on one line on a 390 px phone
    const title = (await page.locator('[data-testid="offers-title"]').boundingBox())!;
    expect(title.height).toBeLessThan(28 * 2);
    // before accepting, the address is not shown anywhere
    await expect(page.getByText('测试村 12 号').count()).resolves.toBe(0);
    await shot(page, 'volunteer-1-offers');
    await tap(page, `accept-${orderId}`);
    await page.locator('[data-testid="job-address"]').getByText('测试村 12 号').waitFor();
    await page.locator('[data-testid="job-preferred"]').getByText('明天上午 08:00–12:00').waitFor();
    await page.locator('.uni-sample-toast, uni-toast').first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
    // the phone is a link the phone can dial
    await expect(page.locator('[data-testid="job-phone"]').getAttribute('href')).resolves.toBe(`tel:${resident.phone}`);
    await shot(page, 'volunteer-2-job-accepted');
    await tap(page, 'check-in');
    await page.locator('[data-testid="job-status"]').getByText('服务中').waitFor();
    await fill(page, 'report', '理发完成，老人精神很好');
    await fill(page, 'minutes', '40');
    await shot(page, 'volunteer-3-complete-form');
    await tap(page, 'complete');
    await page.locator('[data-testid="job-done"]').waitFor();
    await page.goto(`${h5('volunteer')}#/pages/hours/hours`);
    await page.locator('[data-testid="total-hours"]').getByText('40 分钟').waitFor();
    // minutes in words throughout, never "min" beside 分钟
    await expect(page.locator('uni-page-body').innerText()).resolves.not.toMatch(/\bmin\b/);
    await shot(page, 'volunteer-4-hours');
  });

  it('the resident sees it completed and rates it with stars and "solved"', async () => {
    const page = residentPage;
    await page.locator('[data-testid="order-status"]').getByText('已完成').waitFor({ timeout: 20000 });
    await page.locator('[data-testid="order-team"]').getByText(team.name).waitFor();
    await tap(page, 'star-5');
    await tap(page, 'solved-yes');
    await shot(page, 'resident-6-rate', true);
    await checkA11y(page, 'rating');
    await tap(page, 'submit-rating');
    await page.locator('[data-testid="rated"]').waitFor();
    await page.locator('[data-testid="order-status"]').getByText('已评价').waitFor();
    // the history in plain words: no staff jargon (派单, 婉拒, 转人工 …)
    const history = await page.locator('[data-testid="timeline"]').innerText();
    expect(history).toMatch(/您已下单[\s\S]*审核通过[\s\S]*正在为您联系服务队[\s\S]*服务队已接单[\s\S]*志愿者已到达[\s\S]*服务已完成[\s\S]*您已评价/);
    expect(history).not.toMatch(/派单|婉拒|转人工|扩大/);
    await shot(page, 'resident-7-closed', true);
  });

  it('the console dashboard counts it, exports XLSX, and switches to English', async () => {
    const page = consolePage;
    await page.goto(`${api.url}/console/#/dashboard`);
    await page.locator('[data-testid="dashboard-cards"]').waitFor();
    // narrow the dashboard to this test's county: exactly this one order, completed, 5 stars, 40 minutes
    await page.locator('.el-select').first().click();
    await page.locator('.el-select-dropdown__item', { hasText: `测试县${tag}` }).click();
    await page.locator('[data-testid="total-orders"]').getByText('1', { exact: true }).waitFor();
    await expect(page.locator('[data-testid="total-completed"]').innerText()).resolves.toBe('1');
    await expect(page.locator('[data-testid="avg-stars"]').innerText()).resolves.toBe('5.00');
    await expect(page.locator('[data-testid="total-minutes"]').innerText()).resolves.toBe('40');
    await page.locator('[data-testid="per-region"]').getByText(`测试镇${tag}`).waitFor();
    // the period boxes say which days the figures are for, and are labelled (axe: no critical violation)
    const [from, to] = await page.locator('.el-range-input').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    expect(from).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(to).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect((await seriousA11yViolations(page)).filter((v) => v.impact === 'critical')).toEqual([]);
    await expect(page.locator('canvas').count()).resolves.toBeGreaterThanOrEqual(4);
    await page.waitForTimeout(800); // chart animations
    await shot(page, 'console-5-dashboard', true);

    const [download] = await Promise.all([page.waitForEvent('download'), tap(page, 'export-xlsx')]);
    const file = await download.path();
    expect(readFileSync(file!).subarray(0, 2).toString()).toBe('PK');

    await page.goto(`${api.url}/console/#/map`);
    await page.locator('[data-testid="geomap"] path').first().waitFor();
    await expect(page.locator('[data-testid="geomap"] .teams rect').count()).resolves.toBeGreaterThanOrEqual(2);
    // the county dispatcher's map draws their county only, fitted to it (80 km across, not every region of the database)
    await expect(page.locator('[data-testid="geomap"] .regions path').count()).resolves.toBe(3);
    const viewWidth = Number((await page.locator('[data-testid="geomap"]').getAttribute('viewBox'))!.split(' ')[2]);
    const countyWidth = (0.8 / Math.cos((home.lat * Math.PI) / 180)) * (256 / 360) * 1.1;
    expect(viewWidth).toBeGreaterThan(countyWidth * 0.8);
    expect(viewWidth).toBeLessThan(countyWidth * 1.6);
    await shot(page, 'console-6-map');

    await page.locator('[data-testid="lang-switch"]').getByText('EN').click();
    await page.locator('[data-testid="nav-dashboard"]').getByText('Dashboard').waitFor();
    await page.locator('[data-testid="nav-queue"]').click();
    await page.getByText('Live queue').first().waitFor();
    await shot(page, 'console-7-english');

    // signing out from the map and from the dashboard leaves no error behind (it threw an uncaught 401)
    for (const view of ['map', 'dashboard']) {
      await page.goto(`${api.url}/console/#/${view}`);
      await page.locator('[data-testid="geomap"], [data-testid="dashboard-cards"]').first().waitFor();
      await tap(page, 'logout');
      await page.locator('[data-testid="login-submit"]').waitFor();
      await page.waitForTimeout(500);
      await fill(page, 'login-phone', staff.phone);
      await fill(page, 'login-password', staff.password);
      await tap(page, 'login-submit');
      await page.locator('[data-testid="queue-live"]').waitFor();
    }
    expect(pageErrors).toEqual([]);
  });

  it('no screen loaded anything from a third-party host', () => {
    expect(foreign).toEqual([]);
  });

  it('the resident H5 has no serious or critical accessibility violations (axe-core)', () => {
    // the full report, for reading when this fails
    writeFileSync(join(ARTIFACTS, 'axe-resident.json'), JSON.stringify(a11y, null, 2));
    expect(Object.keys(a11y).sort()).toEqual(['home', 'login', 'menu', 'order form', 'order status', 'rating']);
    expect(a11y).toEqual({ home: [], login: [], menu: [], 'order form': [], 'order status': [], rating: [] });
  });

  it('the resident H5 writes no text smaller than 20 px', () => {
    writeFileSync(join(ARTIFACTS, 'small-text-resident.json'), JSON.stringify(small, null, 2));
    expect(small).toEqual({ home: [], login: [], menu: [], 'order form': [], 'order status': [], rating: [] });
  });
});
