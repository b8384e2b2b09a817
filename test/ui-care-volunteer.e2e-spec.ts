import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Platform, startPlatform } from './support/apps';
import { ARTIFACTS, fill, launchChromium, seriousA11yViolations, shot } from './support/browser';
import { ROOT } from './support/env';
import { Http } from './support/http';
import { adminClient, createRegions, createTeam, CreatedTeam, expectOk, LatLng, login, offset, randomPhone } from './support/world';

/**
 * Proactive care in a real browser, second part: the paired volunteer's 关爱走访 page in the volunteer
 * H5 (today's and overdue visits in big type, completed with a wellbeing mark and a note); the grid
 * worker's 走访活动 tab in the console (a cold-snap campaign made from the form, its progress); the
 * dashboard's care coverage cards. Screenshots go to test/artifacts (docs/screenshots with
 * UPDATE_SCREENSHOTS=1).
 */
describe('UI: care — the volunteer\'s visits, campaigns in the console, coverage on the dashboard', () => {
  const tag = `UV${Date.now() % 100000}`;
  const home: LatLng = { lat: 28.9, lng: 120.05 };
  const gridWorker = { phone: randomPhone('136'), password: 'GridCare#2026', name: '俞网格', id: '' };
  const countyAdmin = { phone: randomPhone('138'), password: 'CountyAdmin#2026care', name: '潘县管' };
  const elderName = `周阿婆${tag}`;
  let platform: Platform;
  let grid: Http;
  let team: CreatedTeam;
  let browser: Browser;
  let elder = '';
  const screenshots = join(ROOT, 'docs/screenshots');
  const keep = (name: string) => {
    if (process.env.UPDATE_SCREENSHOTS !== '1') return;
    mkdirSync(screenshots, { recursive: true });
    copyFileSync(join(ARTIFACTS, `${name}.png`), join(screenshots, `${name}.png`));
  };
  const tap = (page: Page, testId: string) => page.locator(`[data-testid="${testId}"]`).first().click();

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/web/h5/volunteer/index.html')) || !existsSync(join(ROOT, 'dist/web/console/index.html'))) {
      throw new Error('the front ends are not built: run `npm run build:web` (npm test does)');
    }
    platform = await startPlatform(`uicare2-${tag}`, { WEB_DIR: join(ROOT, 'dist/web'), CARE_SWEEP_MS: '500', RELAY_POLL_MS: '100' });
    const http = new Http(platform.api.url);
    const admin = await adminClient(http);
    const regions = await createRegions(admin, home, tag);
    const made = expectOk(await admin.post('/api/v1/staff', { phone: gridWorker.phone, password: gridWorker.password, name: gridWorker.name, role: 'grid_worker', regionId: regions.station.id }), 201, 'grid worker');
    gridWorker.id = made.userId;
    expectOk(await admin.post('/api/v1/staff', { ...countyAdmin, role: 'admin', regionId: regions.county.id }), 201, 'county admin');
    grid = await login(http, gridWorker.phone, gridWorker.password);
    team = await createTeam(http, admin, regions.station.id, { name: `结对队${tag}`, location: offset(home, 100, 0), serviceRadiusM: 5000, skills: ['care_any'], capacity: 5, members: 1 });
    elder = expectOk(await grid.post('/api/v1/beneficiaries', {
      name: elderName, ageBand: '80_plus', tags: ['living_alone'], address: '东溪村 3 组 8 号', location: offset(home, 30, 30) }), 201, 'elder').id;
    // the paired volunteer visits her every day, first thing (already due, so also overdue), and calls her
    expectOk(await grid.put(`/api/v1/beneficiaries/${elder}/care-plan`, {
      visits: [{ kind: 'visit', rrule: 'FREQ=DAILY;BYHOUR=0;BYMINUTE=5', assigneeUserId: team.members[0].userId }],
    }), 200, 'plan');
    // the county's template for 独居老人 (set by the deployment admin here, naming the county)
    expectOk(await admin.put('/api/v1/care/templates/living_alone', {
      countyId: regions.county.id, name: '独居老人：每天电话，每周上门', checkIn: { dailyBy: '09:00' },
      visits: [{ kind: 'call', rrule: 'FREQ=DAILY' }, { kind: 'visit', rrule: 'FREQ=WEEKLY;BYDAY=TU' }],
    }), 200, 'template');
    browser = await launchChromium();
  }, 240000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('the paired volunteer opens 关爱走访 from the home page and completes a visit with "有情况" and a note', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await ctx.newPage();
    await page.goto(`${platform.api.url}/h5/volunteer/`);
    await fill(page, 'phone', team.members[0].phone);
    await fill(page, 'password', 'Volunteer#2026');
    await tap(page, 'submit');
    await tap(page, 'go-care');
    const [visit] = expectOk(await team.members[0].http.get('/api/v1/care/visits?due=today'), 200, 'today').items;
    const card = page.locator(`[data-testid="care-visit-${visit.id}"]`);
    await card.getByText(elderName).waitFor({ timeout: 20000 });
    await card.getByText('上门走访').first().waitFor();
    await card.locator('[data-testid="care-overdue"]').getByText('已超时').waitFor();
    // big type: the person's name at least 22 px, the action button at least 64 px high
    const nameSize = await card.getByText(elderName).evaluate((el) => parseFloat((globalThis as any).getComputedStyle(el).fontSize));
    expect(nameSize).toBeGreaterThanOrEqual(22);
    const start = page.locator(`[data-testid="care-start-${visit.id}"]`);
    expect((await start.boundingBox())!.height).toBeGreaterThanOrEqual(64);
    await shot(page, 'care-4-volunteer-visits');
    keep('care-4-volunteer-visits');
    await start.click();
    await tap(page, 'care-concern');
    await fill(page, 'care-note', '老人说这两天胸口闷');
    await shot(page, 'care-5-volunteer-record');
    keep('care-5-volunteer-record');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await tap(page, 'care-submit');
    await page.locator('[data-testid="care-done"]').getByText('已通知网格员').waitFor({ timeout: 15000 });
    const done = expectOk(await grid.get(`/api/v1/care/visits?beneficiaryId=${elder}&status=done`), 200, 'done').items;
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ id: visit.id, wellbeing: 'concern', note: '老人说这两天胸口闷', completedAt: expect.any(String) });
    const alerts = expectOk(await grid.get(`/api/v1/care/alerts?status=open&beneficiaryId=${elder}`), 200, 'alerts').items;
    expect(alerts.map((a: any) => a.kind)).toEqual(['visit_concern']);
    await ctx.close();
  }, 90000);

  it('the grid worker makes a cold-snap campaign from 走访活动 and sees its progress', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await ctx.newPage();
    await page.goto(`${platform.api.url}/console/`);
    await fill(page, 'login-phone', gridWorker.phone);
    await fill(page, 'login-password', gridWorker.password);
    await tap(page, 'login-submit');
    // 居民档案: the person bears 独居老人, so the county's template is offered; applying it adds to her plan
    await tap(page, 'nav-beneficiaries');
    await tap(page, `apply-template-${elder}`);
    await page.locator(`[data-testid="apply-template-${elder}-living_alone"]`).click();
    await page.getByText('已按模板生成关爱计划').first().waitFor({ timeout: 15000 });
    const plan = expectOk(await grid.get(`/api/v1/beneficiaries/${elder}/care-plan`), 200, 'plan');
    expect(plan.checkIn).toMatchObject({ dailyBy: '09:00' });
    expect(plan.visits.map((v: any) => [v.kind, v.rrule, v.assigneeUserId]).sort()).toEqual([
      ['call', 'FREQ=DAILY', gridWorker.id], ['visit', 'FREQ=DAILY;BYHOUR=0;BYMINUTE=5', team.members[0].userId], ['visit', 'FREQ=WEEKLY;BYDAY=TU', gridWorker.id],
    ]);
    await tap(page, 'nav-care');
    await page.getByRole('tab', { name: '走访活动' }).click();
    await page.locator('[data-testid="campaign-form"]').waitFor();
    await page.locator('[data-testid="campaign-reason-cold_snap"]').click();
    await page.locator('[data-testid="campaign-tag-living_alone"]').click();
    await page.locator('[data-testid="campaign-age-80_plus"]').click();
    const due = new Date(Date.now() + 2 * 86400_000);
    const local = new Date(due.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    const input = page.locator('[data-testid="campaign-form"]').getByPlaceholder('几点前走访完');
    await input.fill(`${local} 18:00:00`);
    await input.press('Enter');
    await tap(page, 'campaign-create');
    const list = page.locator('[data-testid="campaign-list"]');
    await list.getByText('寒潮走访').waitFor({ timeout: 15000 });
    await list.getByText('已走访 0 / 1 人').waitFor();
    await shot(page, 'care-6-console-campaigns', true);
    keep('care-6-console-campaigns');
    const campaigns = expectOk(await grid.get('/api/v1/care/campaigns'), 200, 'campaigns').items;
    expect(campaigns).toHaveLength(1);
    expect(campaigns[0]).toMatchObject({ reason: 'cold_snap', tags: ['living_alone'], ageBands: ['80_plus'], progress: { total: 1, done: 0 } });
    expect(campaigns[0].dueAt).toBe(`${local}T10:00:00.000Z`);
    const tasks = expectOk(await grid.get(`/api/v1/care/visits?campaignId=${campaigns[0].id}`), 200, 'tasks').items;
    expect(tasks.map((v: any) => [v.beneficiaryId, v.assigneeUserId])).toEqual([[elder, team.members[0].userId]]);
    await ctx.close();
  }, 90000);

  it('the county admin edits a care template; the dashboard shows care coverage next to the order figures', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await ctx.newPage();
    await page.goto(`${platform.api.url}/console/`);
    await fill(page, 'login-phone', countyAdmin.phone);
    await fill(page, 'login-password', countyAdmin.password);
    await tap(page, 'login-submit');
    await tap(page, 'nav-care');
    await page.getByRole('tab', { name: '关爱模板' }).click();
    await page.locator('[data-testid="care-templates"]').getByText('独居老人：每天电话，每周上门').waitFor({ timeout: 15000 });
    await tap(page, 'template-edit-living_alone');
    await fill(page, 'template-name', '独居老人：每天电话，每周二上门');
    await fill(page, 'template-daily-by', '08:30');
    await shot(page, 'care-8-console-template');
    await tap(page, 'template-save');
    await page.locator('[data-testid="care-templates"]').getByText('独居老人：每天电话，每周二上门').waitFor({ timeout: 15000 });
    const admin = await login(new Http(platform.api.url), countyAdmin.phone, countyAdmin.password);
    const [saved] = expectOk(await admin.get('/api/v1/care/templates'), 200, 'templates').items;
    expect(saved).toMatchObject({ tag: 'living_alone', name: '独居老人：每天电话，每周二上门', checkIn: { dailyBy: '08:30' }, version: 2 });
    expect(saved.visits.map((v: any) => v.rrule)).toEqual(['FREQ=DAILY', 'FREQ=WEEKLY;BYDAY=TU']);

    await tap(page, 'nav-dashboard');
    const cards = page.locator('[data-testid="care-coverage"]');
    await cards.waitFor({ timeout: 20000 });
    // one person in the county, with a plan; living alone and visited this week; the concern still open
    expect((await page.locator('[data-testid="care-plan-share"]').innerText()).replace(/\s/g, '')).toBe('1/1');
    expect((await page.locator('[data-testid="care-alone"]').innerText()).replace(/\s/g, '')).toBe('1/1');
    expect((await page.locator('[data-testid="care-alerts-open"]').innerText()).trim()).toBe('1');
    await page.locator('[data-testid="care-not-seen"]').getByText(elderName).waitFor();
    await cards.scrollIntoViewIfNeeded();
    await shot(page, 'care-7-dashboard-coverage');
    keep('care-7-dashboard-coverage');
    await ctx.close();
  }, 90000);
});
