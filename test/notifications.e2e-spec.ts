import { Client } from 'pg';
import { startPlatform, Platform } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { CALLBACK_SECRET, FakeSmsGateway, FakeWeChat, postCallback } from './support/fake-providers';
import { Http, until } from './support/http';
import { SseStream } from './support/sse';
import {
  adminClient, createRegions, createService, createTeam, CreatedTeam, expectOk, LatLng, login, offset, randomPhone, registerResident,
} from './support/world';

/**
 * Reaching out, against the four real apps (api, dispatcher, rating, relay), a fake SMS gateway and a
 * fake WeChat server that speak the real shapes: who hears what, by which channel, within how long;
 * two-way SMS with exactly one winner; signed callbacks; retries and dead letters; what staff see.
 */
describe('notifications: inbox, SMS, WeChat, two-way replies', () => {
  const tag = `N${Date.now() % 100000}`;
  const home: LatLng = { lat: 30.52, lng: 119.71 };
  let gateway: FakeSmsGateway;
  let wechat: FakeWeChat;
  let platform: Platform;
  let db: Client;
  let api: Http;
  let admin: Http;
  let dispatcher: Http;
  let regions: { county: any; station: any };
  const phones: string[] = [];

  beforeAll(async () => {
    gateway = await FakeSmsGateway.start();
    wechat = await FakeWeChat.start();
    platform = await startPlatform(`notify-${tag}`, {
      SMS_PROVIDER: 'http',
      SMS_HTTP_URL: gateway.url,
      SMS_CALLBACK_SECRET: CALLBACK_SECRET,
      // tests run at any hour: quiet hours have a suite of their own, with a clock
      NOTIFY_QUIET_HOURS: 'off',
      NOTIFY_SWEEP_MS: '300',
      RELAY_POLL_MS: '50',
      NOTIFY_RETRY_BASE_MS: '200',
      NOTIFY_MAX_ATTEMPTS: '3',
      WECHAT_APPID: 'wx-test-app',
      WECHAT_SECRET: 'wx-test-secret',
      WECHAT_API_BASE_URL: wechat.base,
      WECHAT_TEMPLATES: 'order_accepted=TMPL_ACCEPTED:thing1=service,thing2=team,phone_number3=phone',
      SMS_TEMPLATES: 'order_rejected=SMS_NOT_APPROVED',
    });
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(platform.api.url);
    admin = await adminClient(api);
    regions = await createRegions(admin, home, tag);
    const staffPhone = randomPhone('138');
    phones.push(staffPhone);
    expectOk(await admin.post('/api/v1/staff', { phone: staffPhone, name: '通知调度员', password: 'Dispatch#2026', role: 'dispatcher', regionId: regions.county.id }), 201, 'staff');
    dispatcher = await login(api, staffPhone, 'Dispatch#2026');
  }, 120000);

  afterAll(async () => {
    await platform?.stop();
    await db?.end();
    await gateway?.close();
    await wechat?.close();
  });

  const team = async (name: string, skill: string, east: number, members = 1, capacity = 5): Promise<CreatedTeam> => {
    const t = await createTeam(api, admin, regions.station.id, { name: `${name}${tag}`, location: offset(home, east, 0), serviceRadiusM: 5000, skills: [skill], capacity, members });
    phones.push(...t.members.map((m) => m.phone));
    return t;
  };
  const resident = async (name = '通知居民') => {
    const r = await registerResident(api, name);
    phones.push(r.phone);
    return r;
  };
  const place = async (who: Http, code: string, extra: Record<string, unknown> = {}) =>
    expectOk(await who.post('/api/v1/orders', { serviceCode: code, description: '需要帮忙', location: home, address: '测试村 5 号 2 单元', ...extra }), 201, 'order');
  const inbox = async (who: Http) => expectOk(await who.get('/api/v1/me/notifications?limit=100'), 200, 'inbox');
  const inboxHas = (who: Http, type: string, orderId: string) =>
    until(`${type} in the inbox`, async () => (await inbox(who)).items.find((n: any) => n.type === type && n.orderId === orderId), 10000);
  const smsTo = (phone: string, template: string) => gateway.to(phone).filter((m) => m.template === template);
  const offersOf = async (orderId: string) => (await db.query(`SELECT id, team_id, status FROM offers WHERE order_id = $1 ORDER BY created_at`, [orderId])).rows;

  it('a new offer reaches every member of every offered team (inbox within 5 s, live stream, one SMS); half the window later offer_expiring; accept → the resident hears, the other team is told it was taken', async () => {
    const skill = `story_${tag.toLowerCase()}`;
    expectOk(await admin.post('/api/v1/services', { code: `STORY_${tag}`, name: `上门理发${tag}`, group: '测试', requiredSkills: [skill], acceptTimeoutSeconds: 10, offerMode: 'grab' }), 201, 'service');
    const a = await team('甲队', skill, 300, 2);
    const b = await team('乙队', skill, 900, 2);
    const r = await resident('王奶奶');
    const stream = await SseStream.open(`${platform.api.url}/api/v1/me/notifications/stream`, a.members[0].http.token!);
    expect(stream.status).toBe(200);

    const placedAt = Date.now();
    const order = await place(r.http, `STORY_${tag}`);
    for (const m of [...a.members, ...b.members]) {
      const n = await inboxHas(m.http, 'offer_new', order.id);
      expect(n.title).toContain(`上门理发${tag}`);
      expect(n.link).toBe('/h5/volunteer/#/pages/index/index');
    }
    expect(Date.now() - placedAt).toBeLessThan(5000);
    const live = await stream.next('offer_new on the stream', (d: any) => d.type === 'offer_new' && d.orderId === order.id, 5000);
    expect(live.data.body).toContain(`上门理发${tag}`);
    stream.close();

    for (const m of [...a.members, ...b.members]) {
      await until('one SMS per member', async () => smsTo(m.phone, 'XY_OFFER_NEW').length === 1);
      const [sms] = smsTo(m.phone, 'XY_OFFER_NEW');
      // service, area, countdown, how to reply — never the address
      expect(sms.text).toContain(`上门理发${tag}`);
      expect(sms.text).toContain('回复1接单');
      expect(sms.text).not.toContain('5 号');
      expect(sms.signName).toBe('心愿');
    }

    const expiring = await inboxHas(a.members[1].http, 'offer_expiring', order.id);
    const offerNew = (await inbox(a.members[1].http)).items.find((n: any) => n.type === 'offer_new' && n.orderId === order.id);
    const gap = Date.parse(expiring.createdAt) - Date.parse(offerNew.createdAt);
    expect(gap).toBeGreaterThan(3500);
    expect(gap).toBeLessThan(8000);

    const offerA = (await offersOf(order.id)).find((o) => o.team_id === a.id);
    expectOk(await a.members[0].http.post(`/api/v1/offers/${offerA.id}/accept`), 200, 'accept');
    const accepted = await inboxHas(r.http, 'order_accepted', order.id);
    expect(accepted.body).toContain(`甲队${tag}`);
    expect(accepted.link).toBe(`/h5/resident/#/pages/orders/detail?id=${order.id}`);
    await until('resident SMS', async () => smsTo(r.phone, 'XY_ORDER_ACCEPTED').length === 1);
    const leader = a.members[0].phone;
    const [residentSms] = smsTo(r.phone, 'XY_ORDER_ACCEPTED');
    expect(residentSms.text).toContain(`${leader.slice(0, 3)}****${leader.slice(-4)}`);
    expect(residentSms.text).not.toContain(leader);
    for (const m of b.members) {
      const w = await inboxHas(m.http, 'offer_withdrawn', order.id);
      expect(w.body).toContain('已被其他队伍接单');
      await until('withdrawn SMS', async () => smsTo(m.phone, 'XY_OFFER_WITHDRAWN').length === 1);
    }

    // staff see every delivery on the order: who, channel, when, what became of it — masked numbers only
    const log = expectOk(await dispatcher.get(`/api/v1/orders/${order.id}/notifications`), 200, 'delivery log');
    const sms = log.items.filter((i: any) => i.channel === 'sms');
    expect(sms.length).toBeGreaterThanOrEqual(7);
    expect(sms.every((i: any) => /^\d{3}\*{4}\d{4}$/.test(i.destination))).toBe(true);
    expect(log.items.filter((i: any) => i.channel === 'in_app').length).toBeGreaterThanOrEqual(7);
    for (const p of phones) expect(JSON.stringify(log)).not.toContain(p);
    const other = await registerResident(api, '别人');
    expect((await other.http.get(`/api/v1/orders/${order.id}/notifications`)).status).toBe(403);

    // read one, then all
    const unread = (await inbox(a.members[1].http)).unreadCount;
    expect(unread).toBeGreaterThanOrEqual(2);
    const read = expectOk(await a.members[1].http.post(`/api/v1/me/notifications/${expiring.id}/read`), 200, 'read');
    expect(read.readAt).not.toBeNull();
    expect((await inbox(a.members[1].http)).unreadCount).toBe(unread - 1);
    expect((await a.members[0].http.post(`/api/v1/me/notifications/${expiring.id}/read`)).status).toBe(404);
    expectOk(await a.members[1].http.post('/api/v1/me/notifications/read-all'), 200, 'read all');
    expect((await a.members[1].http.get('/api/v1/me/notifications?unread=true')).body.items).toEqual([]);
  });

  it('two-way SMS: reply 1 accepts; a second 1 and a late 1 are told why not; a re-posted reply changes nothing', async () => {
    const skill = `reply_${tag.toLowerCase()}`;
    await createService(admin, `REPLY_${tag}`, [skill], 3600);
    const c = await team('丙队', skill, 200, 1);
    const r = await resident();
    const order = await place(r.http, `REPLY_${tag}`);
    const phone = c.members[0].phone;
    await until('offer SMS', async () => smsTo(phone, 'XY_OFFER_NEW').length === 1);

    const first = await postCallback(platform.api.url, 'inbound', { messageId: `up-${tag}-1`, phone, content: '1' });
    expect(first).toEqual({ status: 200, body: { ok: true, result: 'accepted' } });
    const view = expectOk(await r.http.get(`/api/v1/orders/${order.id}`), 200, 'order');
    expect(view.status).toBe('accepted');
    expect(view.team.id).toBe(c.id);
    await until('accepted SMS back', async () => smsTo(phone, 'XY_SMS_REPLY').length === 1);
    expect(smsTo(phone, 'XY_SMS_REPLY')[0].text).toContain('接单成功');

    const again = await postCallback(platform.api.url, 'inbound', { messageId: `up-${tag}-2`, phone, content: '1' });
    expect(again.body.result).toBe('already_yours');
    const replayed = await postCallback(platform.api.url, 'inbound', { messageId: `up-${tag}-2`, phone, content: '1' });
    expect(replayed.body.result).toBe('duplicate');
    await until('second answer', async () => smsTo(phone, 'XY_SMS_REPLY').length === 2);
    await new Promise((res) => setTimeout(res, 1000));
    expect(smsTo(phone, 'XY_SMS_REPLY')).toHaveLength(2);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM order_events WHERE order_id = $1 AND type = 'accept'`, [order.id]);
    expect(rows[0].n).toBe(1);

    // grab: one team accepts in the app, the other replies 1 by text and hears it was taken
    await admin.post('/api/v1/services', { code: `REPLYG_${tag}`, name: '微心愿', group: '测试', requiredSkills: [`${skill}g`], acceptTimeoutSeconds: 3600, offerMode: 'grab' });
    const d = await team('丁队', `${skill}g`, 400, 1);
    const e = await team('戊队', `${skill}g`, 800, 1);
    const grab = await place(r.http, `REPLYG_${tag}`);
    await until('both texted', async () => smsTo(e.members[0].phone, 'XY_OFFER_NEW').length === 1 && smsTo(d.members[0].phone, 'XY_OFFER_NEW').length === 1);
    const offerD = (await offersOf(grab.id)).find((o) => o.team_id === d.id);
    expectOk(await d.members[0].http.post(`/api/v1/offers/${offerD.id}/accept`), 200, 'app accept');
    const late = await postCallback(platform.api.url, 'inbound', { messageId: `up-${tag}-3`, phone: e.members[0].phone, content: ' 1 ' });
    expect(late.body.result).toBe('taken');
    await until('refusal SMS', async () => smsTo(e.members[0].phone, 'XY_SMS_REPLY').some((m) => m.text.includes('已被其他队伍接单')));

    // 2 declines; anything else gets the instructions; nothing to answer: said so; a stranger gets nothing
    await createService(admin, `REPLYD_${tag}`, [`${skill}d`], 3600);
    const f = await team('己队', `${skill}d`, 250, 1);
    const declined = await place(r.http, `REPLYD_${tag}`);
    await until('texted', async () => smsTo(f.members[0].phone, 'XY_OFFER_NEW').length === 1);
    expect((await postCallback(platform.api.url, 'inbound', { messageId: `up-${tag}-4`, phone: f.members[0].phone, content: '2' })).body.result).toBe('declined');
    expect((await offersOf(declined.id)).find((o) => o.team_id === f.id).status).toBe('declined');
    expect((await postCallback(platform.api.url, 'inbound', { messageId: `up-${tag}-6`, phone: f.members[0].phone, content: '好的' })).body.result).toBe('unknown');
    await until('instructions', async () => smsTo(f.members[0].phone, 'XY_SMS_REPLY').some((m) => m.text.includes('请回复 1 接单')));
    const idle = await team('闲队', `${skill}x`, 260, 1);
    expect((await postCallback(platform.api.url, 'inbound', { messageId: `up-${tag}-7`, phone: idle.members[0].phone, content: '1' })).body.result).toBe('no_offer');
    const stranger = await postCallback(platform.api.url, 'inbound', { messageId: `up-${tag}-5`, phone: randomPhone('188'), content: '1' });
    expect(stranger.body.result).toBe('stranger');
  });

  it('200 concurrent SMS replies and app accepts for one offer: exactly one winner', async () => {
    const skill = `race_${tag.toLowerCase()}`;
    await admin.post('/api/v1/services', { code: `RACE_${tag}`, name: '抢单', group: '测试', requiredSkills: [skill], acceptTimeoutSeconds: 3600, offerMode: 'grab' });
    const g = await team('庚队', skill, 300, 5);
    const h = await team('辛队', skill, 700, 5);
    const r = await resident();
    const order = await place(r.http, `RACE_${tag}`);
    const members = [...g.members, ...h.members];
    await until('all texted', async () => members.every((m) => smsTo(m.phone, 'XY_OFFER_NEW').length === 1), 15000);
    const offers = await offersOf(order.id);
    const offerOf = (teamId: string) => offers.find((o) => o.team_id === teamId).id;
    const attempts: Promise<{ kind: string; ok: boolean }>[] = [];
    for (let i = 0; i < 10; i++) {
      members.forEach((m, j) => {
        const t = j < 5 ? g : h;
        attempts.push(postCallback(platform.api.url, 'inbound', { messageId: `race-${tag}-${i}-${j}`, phone: m.phone, content: '1' })
          .then((x) => ({ kind: 'sms', ok: x.body?.result === 'accepted' })));
        attempts.push(m.http.post(`/api/v1/offers/${offerOf(t.id)}/accept`).then((x) => ({ kind: 'app', ok: x.status === 200 })));
      });
    }
    const results = await Promise.all(attempts);
    expect(results).toHaveLength(200);
    expect(results.filter((x) => x.ok)).toHaveLength(1);
    const after = await offersOf(order.id);
    expect(after.filter((o) => o.status === 'accepted')).toHaveLength(1);
    expect(after.filter((o) => o.status === 'withdrawn')).toHaveLength(1);
    const { rows } = await db.query(`SELECT sum(active_orders)::int AS n FROM teams WHERE id = ANY($1::uuid[])`, [[g.id, h.id]]);
    expect(rows[0].n).toBe(1);
    const events = await db.query(`SELECT count(*)::int AS n FROM order_events WHERE order_id = $1 AND type = 'accept'`, [order.id]);
    expect(events.rows[0].n).toBe(1);
  }, 120000);

  it('refuses unsigned, badly signed and stale provider callbacks with 401, and nothing changes', async () => {
    const count = async () => (await db.query(`SELECT (SELECT count(*) FROM sms_inbound) + (SELECT count(*) FROM notification_receipts) AS n`)).rows[0].n;
    const before = await count();
    const body = { messageId: `x-${tag}`, phone: phones[1], content: '1' };
    for (const sign of [{ signature: null }, { secret: 'the-wrong-secret-0123456789' }, { timestamp: Math.floor(Date.now() / 1000) - 3600 }, { signature: 'v1=00' }]) {
      const res = await postCallback(platform.api.url, 'inbound', body, sign);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('CALLBACK_SIGNATURE_INVALID');
      const rep = await postCallback(platform.api.url, 'reports', { reports: [{ messageId: 'fake-1', status: 'delivered' }] }, sign);
      expect(rep.status).toBe(401);
    }
    expect(await count()).toBe(before);
    // signed, but not the shape: 400 with the fields
    const bad = await postCallback(platform.api.url, 'reports', { reports: [{ status: 'maybe' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(await count()).toBe(before);

    // a delivery report moves the delivery to delivered, once
    const [sent] = (await db.query(`SELECT id, provider_message_id FROM notification_deliveries WHERE status = 'sent' AND channel = 'sms' LIMIT 1`)).rows;
    const report = { reports: [{ outId: sent.id, messageId: sent.provider_message_id, status: 'delivered', reportedAt: new Date().toISOString() }] };
    expect((await postCallback(platform.api.url, 'reports', report)).body).toEqual({ ok: true, recorded: 1 });
    expect((await postCallback(platform.api.url, 'reports', report)).body).toEqual({ ok: true, recorded: 0 });
    const { rows } = await db.query(`SELECT status, delivered_at FROM notification_deliveries WHERE id = $1`, [sent.id]);
    expect(rows[0].status).toBe('delivered');
  });

  it('provider 5xx and an unknown template: retried with back-off, then dead-lettered (never a crash); staff see the dead letters and an admin sends one again', async () => {
    const skill = `fail_${tag.toLowerCase()}`;
    await createService(admin, `FAIL_${tag}`, [skill], 3600);
    const k = await team('壬队', skill, 350, 1);
    const r = await resident();
    gateway.failAll = true;
    const order = await place(r.http, `FAIL_${tag}`);
    const dead = await until('dead letter', async () => {
      const { rows } = await db.query(
        `SELECT d.id, d.status, d.attempts, d.last_error FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
          WHERE n.order_id = $1 AND n.type = 'offer_new' AND d.status = 'dead'`, [order.id]);
      return rows[0];
    }, 20000);
    expect(dead.attempts).toBe(3);
    expect(dead.last_error).toContain('503');
    expect(smsTo(k.members[0].phone, 'XY_OFFER_NEW')).toHaveLength(0);
    expect((await fetch(`${platform.relay!.url}/health`)).status).toBe(200);
    // the inbox got it all the same
    await inboxHas(k.members[0].http, 'offer_new', order.id);

    const letters = expectOk(await dispatcher.get('/api/v1/notifications/dead-letters?limit=50'), 200, 'dead letters');
    const letter = letters.items.find((i: any) => i.deliveryId === dead.id);
    expect(letter).toMatchObject({ type: 'offer_new', channel: 'sms', status: 'dead', attempts: 3, orderId: order.id });
    expect(letter.destination).toMatch(/^\d{3}\*{4}\d{4}$/);
    gateway.failAll = false;
    expect((await dispatcher.post(`/api/v1/notifications/deliveries/${dead.id}/retry`)).status).toBe(403);
    expectOk(await admin.post(`/api/v1/notifications/deliveries/${dead.id}/retry`), 200, 'retry');
    await until('sent after the retry', async () => smsTo(k.members[0].phone, 'XY_OFFER_NEW').length === 1);
    expect((await admin.post(`/api/v1/notifications/deliveries/${dead.id}/retry`)).status).toBe(409);

    // an urgent order rejected in review: its SMS uses a template the gateway does not know
    await createService(admin, `REVIEW_${tag}`, [skill], 3600, true);
    const rejected = await place(r.http, `REVIEW_${tag}`, { urgent: true });
    expectOk(await dispatcher.post(`/api/v1/orders/${rejected.id}/reject`, { reason: '信息不全' }), 200, 'reject');
    await until('unknown template dead-lettered', async () => {
      const { rows } = await db.query(
        `SELECT d.status, d.attempts, d.last_error FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
          WHERE n.order_id = $1 AND n.type = 'order_rejected'`, [rejected.id]);
      return rows[0]?.status === 'dead' && rows[0].attempts === 3 && rows[0].last_error.includes('400');
    }, 20000);
    await inboxHas(r.http, 'order_rejected', rejected.id);
  });

  it('WeChat subscribe messages: consent recorded per template, one message spends one grant, the access token is reused; no grant → no WeChat', async () => {
    const login1 = expectOk(await api.post('/api/v1/auth/wechat/login', { code: `c${tag}` }), 200, 'wechat login');
    const wx = api.as(login1.accessToken);
    const config = expectOk(await api.get('/api/v1/client-config'), 200, 'client config');
    expect(config.wechatTemplates).toEqual({ order_accepted: 'TMPL_ACCEPTED' });
    const granted = expectOk(await wx.post('/api/v1/me/wechat-subscriptions', { results: { TMPL_ACCEPTED: 'accept', TMPL_OTHER: 'accept', x: 'reject' } }), 200, 'consent');
    expect(granted.items).toEqual([{ templateId: 'TMPL_ACCEPTED', remaining: 1 }]);
    const settings = expectOk(await wx.get('/api/v1/me/notification-settings'), 200, 'settings');
    expect(settings.reachable).toEqual({ sms: false, wechat: true });

    const skill = `wx_${tag.toLowerCase()}`;
    await createService(admin, `WX_${tag}`, [skill], 3600);
    const w = await team('癸队', skill, 450, 1);
    const accept = async () => {
      const order = await place(wx, `WX_${tag}`, { contactPhone: randomPhone('139') });
      const offer = await until('offer', async () => (await offersOf(order.id))[0]);
      expectOk(await w.members[0].http.post(`/api/v1/offers/${offer.id}/accept`), 200, 'accept');
      await inboxHas(wx, 'order_accepted', order.id);
      return order;
    };
    const first = await accept();
    await until('subscribe message', async () => wechat.sent.length === 1);
    expect(wechat.sent[0]).toMatchObject({ touser: `openid-c${tag}`, template_id: 'TMPL_ACCEPTED', page: `pages/orders/detail?id=${first.id}` });
    expect(wechat.sent[0].data.thing2.value).toBe(`癸队${tag}`);
    expect(wechat.tokensIssued).toBe(1);
    const { rows } = await db.query(`SELECT remaining FROM wechat_subscriptions WHERE template_id = 'TMPL_ACCEPTED'`);
    expect(rows).toEqual([{ remaining: 0 }]);

    const second = await accept();
    await new Promise((res) => setTimeout(res, 1500));
    expect(wechat.sent).toHaveLength(1);
    const log = expectOk(await admin.get(`/api/v1/orders/${second.id}/notifications`), 200, 'log');
    expect(log.items.filter((i: any) => i.type === 'order_accepted').map((i: any) => i.channel)).toEqual(['in_app']);
  });

  it('settings: channels, muted types, quiet hours, zone, language — checked, and used', async () => {
    const v = await team('设置队', `set_${tag.toLowerCase()}`, 500, 1);
    const me = v.members[0].http;
    const defaults = expectOk(await me.get('/api/v1/me/notification-settings'), 200, 'get');
    expect(defaults).toMatchObject({ channels: { inApp: true, sms: true, wechat: true }, mutedTypes: [], quietHours: null, timeZone: 'Asia/Shanghai', lang: 'zh' });
    const saved = expectOk(
      await me.request('PUT', '/api/v1/me/notification-settings', { sms: false, mutedTypes: ['offer_expiring'], quietHours: { start: '21:30', end: '06:30' }, lang: 'en', timeZone: 'Asia/Urumqi' }),
      200, 'put',
    );
    expect(saved).toMatchObject({ channels: { sms: false }, mutedTypes: ['offer_expiring'], quietHours: { start: '21:30', end: '06:30' }, lang: 'en', timeZone: 'Asia/Urumqi' });
    for (const bad of [{ quietHours: { start: '25:00', end: '07:00' } }, { timeZone: 'Mars/Olympus' }, { mutedTypes: ['nonsense'] }, { lang: 'fr' }, { sms: 'yes' }]) {
      const res = await me.request('PUT', '/api/v1/me/notification-settings', bad);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    expect(expectOk(await me.get('/api/v1/me/notification-settings'), 200, 'unchanged')).toEqual(saved);

    // English, and no SMS any more: the inbox still gets it
    await createService(admin, `SET_${tag}`, [`set_${tag.toLowerCase()}`], 3600);
    const r = await resident();
    const order = await place(r.http, `SET_${tag}`);
    const n = await inboxHas(me, 'offer_new', order.id);
    expect(n.title).toMatch(/^New offer: /);
    await new Promise((res) => setTimeout(res, 1000));
    expect(gateway.to(v.members[0].phone)).toHaveLength(0);
  });

  it('no phone number in any log line of the four apps', () => {
    const logs = [platform.api, platform.dispatcher, platform.rating, platform.relay!].map((a) => a.output.join('')).join('\n');
    for (const p of phones) expect(logs.includes(p) ? p : null).toBeNull();
  });
});
