import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Browser, Page } from 'playwright-core';
import { Platform, startPlatform } from './support/apps';
import { ARTIFACTS, fill, launchChromium, seriousA11yViolations, shot } from './support/browser';
import { ROOT, TEST_DATABASE_URL } from './support/env';
import { Http, until } from './support/http';
import { adminClient, createRegions, createService, createTeam, CreatedTeam, expectOk, LatLng, login, offset, randomPhone, registerResident } from './support/world';

/**
 * The service record in a real browser: the volunteer opens 我的服务记录 (verified hours, star level
 * and the next threshold), downloads the certificate (a PDF fetched with the bearer token), redeems
 * points at the 爱心超市 (the pickup code in big type), asks for a correction, and signs up for a
 * themed activity; staff mark attendance in the console's 主题活动 view, see the request in
 * 服务记录审核 and hand the goods over against the pickup code; the team page flags the 五星服务队.
 * Screenshots go to test/artifacts (docs/screenshots with UPDATE_SCREENSHOTS=1).
 */
describe('UI: the volunteer\'s service record, activities and the console review', () => {
  const tag = `UR${Date.now() % 100000}`;
  const skill = `record_${tag.toLowerCase()}`;
  const code = `REC_${tag}`;
  const home: LatLng = { lat: 29.1, lng: 121.3 };
  const screenshots = join(ROOT, 'docs/screenshots');
  const staffAccount = { phone: randomPhone('139'), password: 'Dispatch#2026' };
  let platform: Platform;
  let db: Client;
  let api: Http;
  let staff: Http;
  let team: CreatedTeam;
  let browser: Browser;
  let activityId = '';
  let activityNextMonth = false;
  let pickupCode = '';

  const keep = (name: string) => {
    if (process.env.UPDATE_SCREENSHOTS !== '1') return;
    mkdirSync(screenshots, { recursive: true });
    copyFileSync(join(ARTIFACTS, `${name}.png`), join(screenshots, `${name}.png`));
  };
  const tap = (page: Page, testId: string) => page.locator(`[data-testid="${testId}"]`).first().click();
  /** A toast (uni.showToast) gone, so that a screenshot shows the page itself. */
  const noToast = (page: Page) => page.locator('uni-toast').first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/web/h5/volunteer/index.html')) || !existsSync(join(ROOT, 'dist/web/console/index.html'))) {
      throw new Error('the front ends are not built: run `npm run build:web` (npm test does)');
    }
    // low star thresholds: two verified hours make one star, five the next
    platform = await startPlatform(`uirecord-${tag}`, { WEB_DIR: join(ROOT, 'dist/web'), STAR_LEVEL_HOURS: '1,5,10,20,40' }, { relay: false });
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(platform.api.url);
    const admin = await adminClient(api);
    const { county, station } = await createRegions(admin, home, tag);
    await createService(admin, code, [skill], 60);
    team = await createTeam(api, admin, station.id, { name: `阳光服务队${tag}`, location: offset(home, 200, 0), serviceRadiusM: 10000, skills: [skill], capacity: 5, members: 2 });
    expectOk(await admin.post('/api/v1/staff', { ...staffAccount, name: '周站长', role: 'dispatcher', regionId: county.id }), 201, 'staff');
    staff = await login(api, staffAccount.phone, staffAccount.password);

    // one served order: 120 minutes, confirmed by the resident when rating
    const volunteer = team.members[0];
    const resident = await registerResident(api, '王奶奶');
    const placed = expectOk(await resident.http.post('/api/v1/orders', { serviceCode: code, description: '上门打扫卫生', location: home, address: '阳光社区 3 幢' }), 201, 'place');
    const offer = await until('offer', async () => (await volunteer.http.get('/api/v1/offers?status=pending&limit=100')).body.items.find((o: any) => o.orderId === placed.id), 30000);
    expectOk(await volunteer.http.post(`/api/v1/offers/${offer.id}/accept`), 200, 'accept');
    expectOk(await volunteer.http.post(`/api/v1/orders/${placed.id}/check-in`, { location: home }), 200, 'check in');
    await db.query(`UPDATE service_records SET checked_in_at = checked_in_at - interval '121 minutes' WHERE order_id = $1`, [placed.id]);
    expectOk(await volunteer.http.post(`/api/v1/orders/${placed.id}/check-out`, { location: home }), 200, 'check out');
    expectOk(await volunteer.http.post(`/api/v1/orders/${placed.id}/complete`, { report: '打扫卫生，整理房间', minutes: 120 }), 200, 'complete');
    // service counts in the month it began (the check-in, moved back above): in a month's first two
    // hours (Beijing time) that is the month before, and "本月五星服务队" below would be nobody's
    await db.query(
      `UPDATE service_credits SET started_at = GREATEST(started_at, date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai')
        WHERE source_type = 'order' AND source_id = $1`,
      [placed.id],
    );
    expectOk(await resident.http.at(platform.rating.url).post(`/api/v1/orders/${placed.id}/rating`, { stars: 5, solved: true }), 201, 'rate');

    // a themed activity starting soon (on the next month's tab in the last minutes of a month)
    const startsAt = new Date(Date.now() + 10 * 60_000);
    const monthOf = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(d).slice(0, 7);
    activityNextMonth = monthOf(startsAt) !== monthOf(new Date());
    activityId = expectOk(await staff.post('/api/v1/activities', {
      regionId: station.id, theme: '重阳敬老：为独居老人包饺子', description: '自带围裙，饺子馅由服务站准备', startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 2 * 3600_000).toISOString(), location: home, address: '阳光社区服务站活动室', capacity: 10, creditedMinutes: 90,
    }), 201, 'activity').id;
    // the station's 爱心超市: its staff set the items and their price
    expectOk(await staff.post('/api/v1/redemption-items', { regionId: station.id, name: '大米 5 斤', points: 5 }), 201, 'rice');
    expectOk(await staff.post('/api/v1/redemption-items', { regionId: station.id, name: '毛巾', points: 2 }), 201, 'towel');
    browser = await launchChromium();
  }, 240000);

  afterAll(async () => {
    await browser?.close();
    await db?.end();
    await platform?.stop();
  });

  it('the volunteer sees hours, star level and the 五星服务队 badge, downloads the certificate, redeems points, asks for a correction and signs up', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
    const page = await ctx.newPage();
    const volunteer = team.members[0];
    await page.goto(`${platform.api.url}/h5/volunteer/`);
    await fill(page, 'phone', volunteer.phone);
    await fill(page, 'password', 'Volunteer#2026');
    await tap(page, 'submit');
    await page.locator('[data-testid="five-star-badge"]').getByText(`本月五星服务队：${team.name}`).waitFor({ timeout: 20000 });
    await shot(page, 'record-1-volunteer-home');
    keep('record-1-volunteer-home');

    await tap(page, 'go-hours');
    await page.locator('[data-testid="verified-hours"]').getByText('2.0 小时').waitFor({ timeout: 20000 });
    await expect(page.locator('[data-testid="star-level"]').innerText()).resolves.toContain('1 星志愿者');
    await expect(page.locator('[data-testid="star-level"] .star.on').count()).resolves.toBe(1);
    await expect(page.locator('[data-testid="next-star"]').innerText()).resolves.toBe('再服务 3 小时，升为 2 星（累计满 5 小时）');
    await expect(page.locator('[data-testid="wallet-points"]').innerText()).resolves.toBe('20 分');
    const size = await page.locator('[data-testid="verified-hours"]').evaluate((el) => parseFloat((globalThis as any).getComputedStyle(el).fontSize));
    expect(size).toBeGreaterThanOrEqual(32);
    await shot(page, 'record-2-volunteer-record');
    keep('record-2-volunteer-record');

    // 下载证明: the PDF comes with the bearer token
    const [certificate, download] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/me/certificate')),
      page.waitForEvent('download'),
      tap(page, 'download-certificate'),
    ]);
    expect(certificate.status()).toBe(200);
    expect(certificate.headers()['content-type']).toBe('application/pdf');
    const number = certificate.headers()['x-certificate-number'];
    expect(download.suggestedFilename()).toBe(`${number}.pdf`);
    expect(readFileSync((await download.path())!).subarray(0, 5).toString()).toBe('%PDF-');
    expect(expectOk(await new Http(platform.api.url).get(`/api/v1/certificates/${number}`), 200, 'verify')).toMatchObject({ valid: true, verifiedHours: 2 });

    // 爱心超市: 5 of the 20 points, the pickup code in big type
    await page.locator('[data-testid="market-item"]', { hasText: '大米 5 斤' }).locator('[data-testid="redeem"]').click();
    const codeText = page.locator('[data-testid="pickup-code"]').first();
    await codeText.waitFor();
    pickupCode = (await codeText.innerText()).trim();
    expect(pickupCode).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    await page.locator('[data-testid="wallet-points"]').getByText('15 分').waitFor();
    await page.locator('[data-testid="market"]').scrollIntoViewIfNeeded();
    await noToast(page);
    await shot(page, 'record-3-volunteer-wallet');
    keep('record-3-volunteer-wallet');

    // 纠错申请 on the entry
    const entry = expectOk(await volunteer.http.get('/api/v1/me/service-record'), 200, 'record').entries[0];
    await tap(page, `ask-${entry.id}`);
    await fill(page, 'correction-minutes', '130');
    await fill(page, 'correction-reason', '签到晚点了十分钟，实际服务 130 分钟');
    await noToast(page);
    await shot(page, 'record-4-volunteer-correction');
    keep('record-4-volunteer-correction');
    await tap(page, 'correction-send');
    await page.locator('[data-testid="my-requests"]').getByText('处理中').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // 月月有主题: sign up
    await page.goto(`${platform.api.url}/h5/volunteer/#/pages/activities/activities`);
    if (activityNextMonth) await tap(page, 'month-next');
    const card = page.locator(`[data-testid="activity-${activityId}"]`);
    await card.getByText('重阳敬老：为独居老人包饺子').waitFor({ timeout: 20000 });
    await tap(page, `signup-${activityId}`);
    await card.locator('[data-testid="my-status"]').getByText('已报名').waitFor();
    expect(expectOk(await volunteer.http.get(`/api/v1/activities/${activityId}`), 200, 'activity')).toMatchObject({ myStatus: 'confirmed', confirmed: 1 });
    await noToast(page);
    await shot(page, 'record-5-volunteer-activities');
    keep('record-5-volunteer-activities');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await ctx.close();
  }, 120000);

  it('staff mark attendance in 主题活动, decide the correction, hand over the pickup, and see the 五星服务队 on the team page', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await ctx.newPage();
    await page.goto(`${platform.api.url}/console/`);
    await fill(page, 'login-phone', staffAccount.phone);
    await fill(page, 'login-password', staffAccount.password);
    await tap(page, 'login-submit');

    await page.locator('[data-testid="nav-service"]').first().hover(); // the 志愿服务 menu opens on hover
    await tap(page, 'nav-activities');
    if (activityNextMonth) {
      const next = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date(Date.now() + 10 * 60_000)).slice(0, 7);
      await fill(page, 'activity-month', next);
      await page.keyboard.press('Enter');
    }
    await page.locator(`[data-testid="counts-${activityId}"]`).getByText('1/10').waitFor({ timeout: 20000 });
    await tap(page, `open-${activityId}`);
    // the venue's QR code to print, and its 8 letters for phones that cannot scan
    await page.locator('[data-testid="activity-qr-image"] svg').waitFor();
    await expect(page.locator('[data-testid="activity-venue-code"]').innerText()).resolves.toMatch(/^[A-HJKMNP-Z2-9]{8}$/);
    const signups = page.locator('[data-testid="signups-table"]');
    await signups.getByText(`${team.name}队员1`).waitFor();
    await signups.locator('.el-table__body .el-checkbox').first().click();
    await shot(page, 'record-6-console-attendance');
    keep('record-6-console-attendance');
    await tap(page, 'mark-attendance');
    await page.locator(`[data-testid="attended-${activityId}"]`).getByText('1').waitFor();
    const record = expectOk(await team.members[0].http.get('/api/v1/me/service-record'), 200, 'record');
    expect(record.entries[0]).toMatchObject({ kind: 'credit', minutes: 90, sourceType: 'activity', sourceId: activityId, confirmation: 'organiser' });
    expect(record.verifiedMinutes).toBe(210);
    await page.keyboard.press('Escape');

    // 服务记录审核: the volunteer's correction request, then the pickup
    await page.locator('[data-testid="nav-service"]').first().hover();
    await tap(page, 'nav-record');
    await page.getByRole('tab', { name: /纠错申请/ }).click();
    const requests = page.locator('[data-testid="requests-table"]');
    await requests.getByText('实际服务 130 分钟', { exact: false }).waitFor({ timeout: 20000 });
    await shot(page, 'record-7-console-review');
    keep('record-7-console-review');
    await page.getByRole('tab', { name: '爱心超市领取' }).click();
    await fill(page, 'pickup-input', pickupCode.toLowerCase());
    await tap(page, 'pickup-collect');
    await page.locator('[data-testid="pickup-done"]').getByText('大米 5 斤', { exact: false }).waitFor();
    const redemptions = expectOk(await team.members[0].http.get('/api/v1/me/redemptions'), 200, 'redemptions');
    expect(redemptions.map((r: any) => [r.pickupCode, r.status])).toEqual([[pickupCode, 'collected']]);

    // the team page: this month's rank and the 五星服务队 tag
    await tap(page, 'nav-teams');
    await page.locator(`[data-testid="five-star-${team.id}"]`).getByText('五星服务队').waitFor({ timeout: 20000 });
    await shot(page, 'record-8-console-teams');
    keep('record-8-console-teams');
    await ctx.close();
  }, 120000);

  it('a second volunteer checks in at the venue on the H5 with the code under the QR code, near the place: attended, minutes credited', async () => {
    const volunteer = team.members[1];
    expectOk(await volunteer.http.post(`/api/v1/activities/${activityId}/signup`), 200, 'signup');
    const { venueCode } = expectOk(await staff.get(`/api/v1/activities/${activityId}`), 200, 'staff view');
    const ctx = await browser.newContext({
      viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
      geolocation: { latitude: home.lat, longitude: home.lng }, permissions: ['geolocation'],
    });
    const page = await ctx.newPage();
    await page.goto(`${platform.api.url}/h5/volunteer/`);
    await fill(page, 'phone', volunteer.phone);
    await fill(page, 'password', 'Volunteer#2026');
    await tap(page, 'submit');
    await page.locator('[data-testid="offers-title"]').waitFor();
    await page.goto(`${platform.api.url}/h5/volunteer/#/pages/activities/activities`);
    if (activityNextMonth) await tap(page, 'month-next');
    const card = page.locator(`[data-testid="activity-${activityId}"]`);
    await card.locator(`[data-testid="venue-code-${activityId}"]`).waitFor({ timeout: 20000 });
    // a wrong code is refused in words, nothing is credited
    await fill(page, `venue-code-${activityId}`, 'ABCDEFGH');
    await tap(page, `checkin-${activityId}`);
    await page.getByText('不是本次活动的签到码', { exact: false }).waitFor();
    expect(expectOk(await volunteer.http.get(`/api/v1/activities/${activityId}`), 200, 'activity').myAttended).toBe(false);
    await fill(page, `venue-code-${activityId}`, venueCode.toLowerCase());
    await noToast(page);
    await shot(page, 'record-9-volunteer-venue-code');
    keep('record-9-volunteer-venue-code');
    await tap(page, `checkin-${activityId}`);
    await card.locator('[data-testid="my-status"]').getByText('已签到').waitFor({ timeout: 20000 });
    const record = expectOk(await volunteer.http.get('/api/v1/me/service-record'), 200, 'record');
    expect(record.entries[0]).toMatchObject({ kind: 'credit', minutes: 90, sourceType: 'activity', sourceId: activityId });
    await ctx.close();
  }, 120000);
});
