import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { Client } from 'pg';
import { RunningApp, startApp, testEnv } from './support/apps';
import { field, fill, launchChromium, seriousA11yViolations, shot } from './support/browser';
import { ADMIN, ROOT, TEST_DATABASE_URL } from './support/env';
import { Http } from './support/http';
import { adminClient, createRegions, createService, createTeam, CreatedTeam, expectOk, LatLng, offset, randomPhone, registerResident } from './support/world';

/**
 * The console's management pages in a real browser, as the county admin: edit a menu item in its
 * dialog, make a member team leader and take another off the team, edit a staff member's role and
 * disable their account, and assign an order by hand to a team found by name (confirming that the
 * pending offer is withdrawn). Every change is checked in the database, not only on the screen.
 */
describe('UI: console management (menu, team members, staff)', () => {
  const tag = `G${Date.now() % 100000}`;
  const home: LatLng = { lat: 27.1234, lng: 116.4321 };
  const code = `MEAL_${tag}`;
  const skill = `meal_${tag.toLowerCase()}`;
  let api: RunningApp;
  let admin: Http;
  let db: Client;
  let team: CreatedTeam;
  let http: Http;
  let stationId = '';
  let browser: Browser;
  let page: Page;
  const staffName = `调度员${tag}`;
  let staffId = '';

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/web/console/index.html'))) throw new Error('the console is not built: run `npm run build:web` (npm test does)');
    api = await startApp('api', testEnv(`ui-mgmt-${tag}`, { WEB_DIR: join(ROOT, 'dist/web') }));
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    http = new Http(api.url);
    admin = await adminClient(http);
    const regions = await createRegions(admin, home, tag);
    stationId = regions.station.id;
    await createService(admin, code, [skill], 900);
    team = await createTeam(http, admin, regions.station.id, { name: `助餐队${tag}`, location: offset(home, 100, 100), serviceRadiusM: 3000, skills: [skill], capacity: 2, members: 3 });
    staffId = expectOk(
      await admin.post('/api/v1/staff', { phone: randomPhone('138'), name: staffName, password: 'Dispatch#2026', role: 'dispatcher', regionId: regions.township.id }),
      201,
      'staff',
    ).userId;
    browser = await launchChromium();
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    ctx.setDefaultTimeout(15000);
    page = await ctx.newPage();
    await page.goto(`${api.url}/console/`);
    await fill(page, 'login-phone', ADMIN.phone);
    await fill(page, 'login-password', ADMIN.password);
    await page.locator('[data-testid="login-submit"]').click();
    await page.waitForURL(/#\/queue/);
  }, 180000);

  afterAll(async () => {
    await browser?.close();
    await db?.end();
    await api?.stop();
  });

  const input = (testId: string) => field(page, testId);
  /** Element Plus selects inside animating dialogs and drawers: click until the option list shows. */
  const openSelect = async (trigger: Locator, option: Locator) => {
    for (let attempt = 0; ; attempt++) {
      await trigger.click();
      try {
        return await option.waitFor({ timeout: 1500 });
      } catch (e) {
        if (attempt === 5) throw e;
      }
    }
  };
  const confirmDialog = () => page.locator('.el-message-box').getByRole('button', { name: '确定' }).click();

  it('edits a menu item in its dialog; the code stays', async () => {
    await page.goto(`${api.url}/console/#/menu`);
    await page.locator(`[data-testid="edit-service-${code}"]`).click();
    await expect(input('service-code').isDisabled()).resolves.toBe(true);
    await input('service-name').fill('老年助餐送餐');
    await input('service-group').fill('助餐服务');
    await shot(page, 'console-menu-edit');
    await page.locator('[data-testid="service-save"]').click();
    await page.locator('[data-testid="menu-table"]').getByText('老年助餐送餐').waitFor();
    const { rows } = await db.query(`SELECT name, group_name, required_skills FROM services WHERE code = $1`, [code]);
    expect(rows[0]).toEqual({ name: '老年助餐送餐', group_name: '助餐服务', required_skills: [skill] });
  });

  it('names a skill in both languages; the menu and teams show the name, and 派单方式 in words, never a code', async () => {
    await page.goto(`${api.url}/console/#/menu`);
    const menuRow = page.locator('[data-testid="menu-table"] tr', { hasText: code });
    // before: the skill has no name yet, so its id shows; the dispatch mode is in words
    await menuRow.getByText(skill, { exact: true }).waitFor();
    await menuRow.getByText('逐队派单').waitFor();
    await expect(menuRow.innerText()).resolves.not.toMatch(/\boffer\b/);
    await page.locator(`[data-testid="edit-skill-${skill}"]`).click();
    await input('skill-zh').fill('老年助餐');
    await input('skill-en').fill('Meals for elders');
    await page.locator('[data-testid="skill-save"]').click();
    await menuRow.getByText('老年助餐', { exact: true }).waitFor();
    await page.locator('[data-testid="skills-table"] tr', { hasText: skill }).getByText('Meals for elders').waitFor();
    await shot(page, 'console-skill-labels', true);
    const { rows } = await db.query(`SELECT zh, en FROM skill_labels WHERE code = $1`, [skill]);
    expect(rows[0]).toEqual({ zh: '老年助餐', en: 'Meals for elders' });
    await page.goto(`${api.url}/console/#/teams`);
    await page.locator('[data-testid="teams-table"] tr', { hasText: team.name }).getByText('老年助餐', { exact: true }).waitFor();
  });

  it('makes a member team leader and takes another off the team', async () => {
    await page.goto(`${api.url}/console/#/teams`);
    await page.locator('[data-testid="teams-table"] tr', { hasText: team.name }).getByRole('button', { name: '队员' }).click();
    const drawer = page.locator('.el-drawer');
    const second = `${team.name}队员2`;
    const third = `${team.name}队员3`;
    await drawer.getByText(third).waitFor();
    const leader = page.locator('.el-select-dropdown:visible').getByText('队长', { exact: true });
    await openSelect(drawer.locator('.el-table__row', { hasText: second }).locator('.el-select__wrapper'), leader);
    await leader.click();
    await page.getByText('操作成功').first().waitFor();
    await drawer.locator(`[data-testid="remove-member-${third}"]`).click();
    await confirmDialog();
    await drawer.getByText(third).waitFor({ state: 'detached' });
    await shot(page, 'console-team-members');
    const { rows } = await db.query(`SELECT user_id, role FROM team_members WHERE team_id = $1 ORDER BY role, user_id`, [team.id]);
    expect(rows.map((r) => [r.user_id, r.role]).sort()).toEqual(
      [[team.members[0].userId, 'leader'], [team.members[1].userId, 'leader']].sort(),
    );
  });

  it('changes a staff member\'s role and disables the account; the admin cannot disable themselves', async () => {
    await page.goto(`${api.url}/console/#/staff`);
    const row = page.locator('[data-testid="staff-table"] tr', { hasText: staffName });
    await row.getByText('正常').waitFor();
    await page.locator(`[data-testid="edit-staff-${staffName}"]`).click();
    // the dialog animates in: open the select once it is in place, and retry until its list shows
    const dialog = page.locator('.el-dialog', { hasText: '编辑工作人员' });
    await dialog.waitFor();
    const option = page.locator('.el-select-dropdown:visible').getByText('网格员', { exact: true });
    await openSelect(dialog.locator('[data-testid="staff-role"] .el-select__wrapper'), option);
    await option.click();
    await page.locator('[data-testid="staff-save"]').click();
    await row.getByText('网格员').waitFor();

    await page.locator(`[data-testid="toggle-staff-${staffName}"]`).click();
    await confirmDialog();
    await row.getByText('已停用').waitFor();
    await shot(page, 'console-staff');
    const { rows } = await db.query(`SELECT roles, disabled_at FROM users WHERE id = $1`, [staffId]);
    expect(rows[0].roles).toEqual(['grid_worker']);
    expect(rows[0].disabled_at).toBeInstanceOf(Date);
    // the signed-in admin's own row has no disable button
    await expect(page.locator('[data-testid="staff-table"] tr', { hasText: '（本人）' }).locator('[data-testid^="toggle-staff-"]').count()).resolves.toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('sets a new password for a staff member who forgot theirs; the two entries must match', async () => {
    const name = `网格员${tag}`;
    const phone = randomPhone('138');
    expectOk(await admin.post('/api/v1/staff', { phone, name, password: 'Forgotten#2026', role: 'grid_worker', regionId: stationId }), 201, 'staff');
    await page.goto(`${api.url}/console/#/staff`);
    await page.reload(); // the list was loaded by the test before, without this account
    await page.locator(`[data-testid="reset-password-${name}"]`).click();
    const dialog = page.locator('.el-dialog', { hasText: `为 ${name} 设置新密码` });
    await dialog.waitFor();
    await fill(page, 'reset-password-new', 'Fresh#Start2026');
    await fill(page, 'reset-password-again', 'Fresh#Start2025');
    await page.locator('[data-testid="reset-password-save"]').click();
    await dialog.getByText('两次输入的密码不一样').waitFor();
    await fill(page, 'reset-password-again', 'Fresh#Start2026');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await shot(page, 'console-staff-reset-password');
    await page.locator('[data-testid="reset-password-save"]').click();
    await page.getByText(`已为 ${name} 设置新密码`).waitFor();
    expect((await http.post('/api/v1/auth/login', { phone, password: 'Forgotten#2026' })).status).toBe(401);
    expectOk(await http.post('/api/v1/auth/login', { phone, password: 'Fresh#Start2026' }), 200, 'the new password');
  });

  it('finds a team by name on the order page and assigns it once the pending offer\'s withdrawal is confirmed', async () => {
    // no dispatcher runs here: staff offer the order to the first team, then change their mind
    const other = await createTeam(http, admin, stationId, { name: `送餐二队${tag}`, location: offset(home, -2500, 0), serviceRadiusM: 1000, skills: [skill], capacity: 3 });
    const resident = await registerResident(http, '周奶奶');
    const order = expectOk(await resident.http.post('/api/v1/orders', { serviceCode: code, description: '中午想要一份送餐', location: home, address: '测试路 8 号' }), 201, 'order');
    const first = expectOk(await admin.post(`/api/v1/orders/${order.id}/assign`, { teamId: team.id }), 201, 'first assign');

    await page.goto(`${api.url}/console/#/orders/${order.id}`);
    await page.locator('[data-testid="pending-offer"]').getByText(team.name).waitFor();
    await input('team-search').fill('送餐二队');
    await page.locator('[data-testid="team-search-submit"]').click();
    const row = page.locator('[data-testid="assignable-teams"] tr', { hasText: other.name });
    await row.getByText('超出服务半径').waitFor();
    await page.locator(`[data-testid="assign-team-${other.name}"]`).click();
    const box = page.locator('.el-message-box');
    await box.getByText(`改派给「${other.name}」会撤回给「${team.name}」的派单`, { exact: false }).waitFor();
    await box.getByText('超出它的服务半径', { exact: false }).waitFor();
    await shot(page, 'console-order-assign-confirm');
    await confirmDialog();

    const timeline = page.locator('[data-testid="timeline"]');
    await timeline.getByText('撤回派单').waitFor();
    await timeline.locator('[data-testid="timeline-detail"]', { hasText: `撤回：「${team.name}」` }).waitFor();
    await timeline.locator('[data-testid="timeline-detail"]', { hasText: '超出该队服务半径' }).waitFor();
    await shot(page, 'console-order-assign', true);
    const { rows } = await db.query(`SELECT team_id, status, reason FROM offers WHERE order_id = $1 ORDER BY created_at`, [order.id]);
    expect(rows).toEqual([
      { team_id: team.id, status: 'withdrawn', reason: 'manual_assign' },
      { team_id: other.id, status: 'pending', reason: null },
    ]);
    expect(rows[0].team_id).toBe(team.id);
    expect(first.teamId).toBe(team.id);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});
