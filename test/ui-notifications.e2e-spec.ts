import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { RunningApp, startApp, testEnv } from './support/apps';
import { fill, launchChromium, seriousA11yViolations, shot } from './support/browser';
import { ROOT } from './support/env';
import { Http } from './support/http';
import { adminClient, createRegions, createTeam, CreatedTeam, expectOk, LatLng, offset, randomPhone, registerResident } from './support/world';

/**
 * In a real browser: the volunteer H5 shows a new offer without polling (the inbox's server-sent
 * events make it reload), with the unread badge and the inbox; the 我的 page saves quiet hours; the
 * console's bell counts and lists a staff notification live and opens the order, whose page shows
 * who was told by which channel.
 */
describe('UI: notifications in the volunteer H5 and the console', () => {
  const tag = `UN${Date.now() % 100000}`;
  const home: LatLng = { lat: 27.81, lng: 118.33 };
  const staff = { phone: randomPhone('138'), password: 'Dispatch#2026' };
  let apps: RunningApp[] = [];
  let api: RunningApp;
  let admin: Http;
  let team: CreatedTeam;
  let browser: Browser;
  let resident: { http: Http };

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/web/h5/volunteer/index.html'))) throw new Error('the front ends are not built: run `npm run build:web` (npm test does)');
    const env = testEnv(`ui-notify-${tag}`, { WEB_DIR: join(ROOT, 'dist/web'), NOTIFY_QUIET_HOURS: 'off', RELAY_POLL_MS: '50', NOTIFY_SWEEP_MS: '500' });
    apps = await Promise.all([startApp('api', env), startApp('dispatcher', env), startApp('relay', env)]);
    api = apps[0];
    const http = new Http(api.url);
    admin = await adminClient(http);
    const regions = await createRegions(admin, home, tag);
    const skill = `ui_notify_${tag.toLowerCase()}`;
    expectOk(await admin.post('/api/v1/services', { code: `UIN_${tag}`, name: `代买药品${tag}`, group: '生活服务', requiredSkills: [skill], acceptTimeoutSeconds: 1800 }), 201, 'service');
    expectOk(await admin.post('/api/v1/services', { code: `UINR_${tag}`, name: `法律咨询${tag}`, group: '咨询', requiredSkills: [skill], acceptTimeoutSeconds: 1800, requiresReview: true }), 201, 'review service');
    team = await createTeam(http, admin, regions.station.id, { name: `通知队${tag}`, location: offset(home, 200, 0), serviceRadiusM: 5000, skills: [skill], capacity: 5 });
    expectOk(await admin.post('/api/v1/staff', { phone: staff.phone, name: '王调度', password: staff.password, role: 'dispatcher', regionId: regions.county.id }), 201, 'staff');
    resident = await registerResident(http, '李奶奶');
    browser = await launchChromium();
  }, 180000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(apps.map((a) => a.stop()));
  });

  const tap = (page: Page, testId: string) => page.locator(`[data-testid="${testId}"]`).first().click();
  const place = async (code: string) =>
    expectOk(await resident.http.post('/api/v1/orders', { serviceCode: code, description: '帮忙买降压药', location: home, address: '测试村 3 号' }), 201, 'order');

  it('the volunteer H5 shows a new offer without polling, with the unread badge and the inbox; 我的 saves quiet hours', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    ctx.setDefaultTimeout(15000);
    const page = await ctx.newPage();
    const offerLists: number[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/v1/offers') offerLists.push(Date.now());
    });
    await page.goto(`${api.url}/h5/volunteer/`);
    await fill(page, 'phone', team.members[0].phone);
    await fill(page, 'password', 'Volunteer#2026');
    await tap(page, 'submit');
    await page.locator('[data-testid="live-state"]').getByText('新派单会自动出现').waitFor();
    // idle: nobody asks for the offers again (the page used to poll every 5 s)
    const before = offerLists.length;
    await page.waitForTimeout(6500);
    expect(offerLists.length).toBe(before);

    const order = await place(`UIN_${tag}`);
    const placedAt = Date.now();
    await page.locator(`[data-testid="offer-${order.id}"]`).waitFor({ timeout: 5000 });
    expect(Date.now() - placedAt).toBeLessThan(5000);
    expect(offerLists.length).toBeGreaterThan(before);
    await page.locator('[data-testid="unread-badge"]').getByText('1').waitFor();
    await shot(page, 'volunteer-notify-1-offer-live');

    await tap(page, 'go-inbox');
    const entry = page.locator('[data-testid="notification-offer_new"]');
    await entry.getByText(`代买药品${tag}`).first().waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await shot(page, 'volunteer-notify-2-inbox');
    await entry.first().click();
    await page.locator(`[data-testid="offer-${order.id}"]`).waitFor();

    await page.goto(`${api.url}/h5/volunteer/#/pages/me/me`);
    await page.locator('[data-testid="setting-quiet"]').waitFor();
    await tap(page, 'setting-quiet');
    await page.locator('[data-testid="settings-saved"]').waitFor();
    const saved = expectOk(await team.members[0].http.get('/api/v1/me/notification-settings'), 200, 'settings');
    expect(saved.quietHours).toEqual({ start: '22:00', end: '07:00' });
    expect(await seriousA11yViolations(page)).toEqual([]);
    await shot(page, 'volunteer-notify-3-settings');
    await ctx.close();
  }, 90000);

  it('the console bell counts and lists a staff notification live, and opens the order with its delivery log', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    ctx.setDefaultTimeout(15000);
    const page = await ctx.newPage();
    await page.goto(`${api.url}/console/`);
    await fill(page, 'login-phone', staff.phone);
    await fill(page, 'login-password', staff.password);
    await tap(page, 'login-submit');
    await page.locator('[data-testid="bell"]').waitFor();
    const order = await place(`UINR_${tag}`);
    await page.locator('[data-testid="bell-count"] sup').getByText('1').waitFor({ timeout: 10000 });
    await tap(page, 'bell');
    const item = page.locator('[data-testid="bell-item-order_pending_review"]');
    await item.getByText(`法律咨询${tag}`).first().waitFor();
    await shot(page, 'console-notify-1-bell');
    await item.first().click();
    await page.waitForURL(new RegExp(`#/orders/${order.id}$`));
    await page.locator('[data-testid="deliveries"]').getByText('待审核').first().waitFor();
    await page.locator('[data-testid="bell-count"] sup').waitFor({ state: 'hidden' });
    await shot(page, 'console-notify-2-order-deliveries');
    await ctx.close();
  }, 90000);
});
