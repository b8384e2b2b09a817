import { randomInt, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Component, HaLayout } from './ha-layout';

/**
 * The chaos suite: a steady order load with volunteers accepting, faults of every kind injected one
 * after another into the HA layout, then invariants checked in Postgres. Bounded in time: every
 * wait has a deadline, every loop stops with the run.
 */

export type FaultName = 'api-crash' | 'dispatcher-crash' | 'rating-crash' | 'relay-crash' | 'postgres-failover' | 'redis-failover' | 'dispatcher-isolated';

export const ALL_FAULTS: FaultName[] = ['api-crash', 'dispatcher-crash', 'rating-crash', 'relay-crash', 'postgres-failover', 'redis-failover', 'dispatcher-isolated'];

export interface ChaosOptions {
  layout: HaLayout;
  adminPhone: string;
  adminPassword: string;
  faults: FaultName[];
  /** Orders placed per second during the whole run. */
  ordersPerSecond: number;
  /** Steady load before the first fault and between faults. */
  calmSeconds: number;
  /** How long dispatcher3 is cut off from Redis. */
  isolateSeconds: number;
  /** Longest wait for the platform to recover from one fault. */
  recoveryTimeoutSeconds: number;
  log?: (line: string) => void;
}

export interface FaultReport {
  fault: FaultName;
  /** What was done, e.g. "SIGKILL api1" or "SIGKILL pg1 (primary) → pg2 promoted". */
  action: string;
  /** From the fault until an order placed after it was answered 2xx and offered to a team. */
  recoverySeconds: number;
  /** Requests answered with a non-2xx status or not answered, from the fault until recovery. */
  refusedDuringFault: number;
}

export interface InvariantReport {
  /** Answered 201/200 but not in Postgres. */
  lost: string[];
  /** More than one order for one client request (one Idempotency-Key). */
  doubled: string[];
  /** Still dispatching, or offered without a live pending offer, after the settle time. */
  stuck: string[];
  /** Orders with more than one pending offer. */
  twoPendingOffers: string[];
  /** Teams holding more active orders than their capacity, or a counter that disagrees with the orders. */
  overCapacity: string[];
  /** Accepted orders whose timeline has other than exactly one accept. */
  acceptEventsWrong: string[];
  /** Deliveries of this run's orders that reached a provider as more than one message (notification_double_sends). */
  notificationsDoubled: string[];
  /** Intents of this run's orders with more than one delivery on one channel (impossible by constraint; checked anyway). */
  notificationsTwicePerChannel: string[];
}

export interface ChaosReport {
  runId: string;
  startedAt: string;
  durationSeconds: number;
  ordersPerSecond: number;
  placed: number;
  /** Non-2xx answers (or no answer) to order requests over the whole run; each was retried. */
  refused: number;
  /** Orders that needed more than one attempt (same Idempotency-Key) before 201. */
  retried: number;
  /** Requests that never got a 201 within their retry budget (never answered = the client knows). */
  gaveUp: number;
  accepted: number;
  escalated: number;
  /** Deliveries of this run's notifications that a channel took (in-app, SMS, WeChat): the relay kept working. */
  notificationsSent: number;
  lost: number;
  doubled: number;
  faults: FaultReport[];
  invariants: InvariantReport;
}

interface Attempt {
  key: string;
  description: string;
  tries: number;
  /** When the client first sent it. */
  startedAt: number;
  orderId?: string;
  placedAt?: number;
  gaveUp?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function request(url: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<{ status: number; body: any; retryAfter?: number }> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 10000) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // keep the text
    }
    const retryAfter = Number(res.headers.get('retry-after')) || undefined;
    return { status: res.status, body, retryAfter };
  } catch {
    return { status: 0, body: undefined };
  }
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const log = opts.log ?? ((line: string) => console.log(`[chaos] ${line}`));
  const layout = opts.layout;
  const runId = `chaos${Date.now().toString(36)}${randomInt(1000)}`;
  const started = Date.now();
  const api = layout.apiUrl;
  const json = (token?: string) => ({ 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) });

  // ---- a small world through the public API ----
  const login = async (phone: string, password: string) => {
    for (let i = 0; i < 20; i++) {
      const res = await request(`${api}/api/v1/auth/login`, { method: 'POST', headers: json(), body: JSON.stringify({ phone, password }) });
      if (res.status === 200) return res.body.accessToken as string;
      await sleep(500);
    }
    throw new Error(`cannot log in ${phone.slice(0, 3)}****`);
  };
  const must = async (what: string, res: Promise<{ status: number; body: any }>, status = 201) => {
    const r = await res;
    if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const admin = await login(opts.adminPhone, opts.adminPassword);
  // far from the demo county and from the other suites' worlds, so only this run's regions cover it
  const centre = { lat: 45.2 + randomInt(5000) / 10000, lng: 126.2 + randomInt(5000) / 10000 };
  const square = (half: number) => {
    const dLat = half / 111320;
    const dLng = half / (111320 * Math.cos((centre.lat * Math.PI) / 180));
    const [s, w, n, e] = [centre.lat - dLat, centre.lng - dLng, centre.lat + dLat, centre.lng + dLng];
    return { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] };
  };
  const post = (path: string, body: unknown, token = admin) => request(`${api}${path}`, { method: 'POST', headers: json(token), body: JSON.stringify(body) });
  const county = await must('county', post('/api/v1/regions', { name: `混沌县${runId}`, level: 'county', boundary: square(30000) }));
  const station = await must('station', post('/api/v1/regions', { name: `混沌社区${runId}`, level: 'village', parentId: county.id, boundary: square(8000) }));
  const skill = `chaos_${runId}`;
  const serviceCode = `CHAOS_${runId.toUpperCase()}`;
  await must('service', post('/api/v1/services', { code: serviceCode, name: `混沌测试${runId}`, group: '测试', requiredSkills: [skill], acceptTimeoutSeconds: 30 }));
  const teams: { id: string; token: string }[] = [];
  for (let i = 0; i < 6; i++) {
    const team = await must('team', post('/api/v1/teams', {
      name: `混沌队${runId}-${i}`, regionId: station.id, location: { lat: centre.lat + i * 0.002, lng: centre.lng }, serviceRadiusM: 6000, skills: [skill], capacity: 1000,
    }));
    const phone = `139${String(randomInt(1e8)).padStart(8, '0')}`;
    await must('member', post(`/api/v1/teams/${team.id}/members`, { phone, name: `混沌队员${i}`, password: 'Volunteer#2026', role: 'leader' }));
    teams.push({ id: team.id, token: await login(phone, 'Volunteer#2026') });
  }
  const residents: string[] = [];
  for (let i = 0; i < 8; i++) {
    // the last four digits differ within the run: the code is read back from the log by the masked phone
    const phone = `137${String(randomInt(1e4)).padStart(4, '0')}${String(i).padStart(4, '0')}`;
    const smsCode = await layout.smsCode(phone, async () => {
      await must('sms code', request(`${api}/api/v1/auth/sms/send`, { method: 'POST', headers: json(), body: JSON.stringify({ phone }) }), 200);
    });
    const reg = await must('resident', request(`${api}/api/v1/auth/register`, { method: 'POST', headers: json(), body: JSON.stringify({ phone, password: 'Resident#2026', name: `混沌居民${i}`, smsCode }) }));
    residents.push(reg.accessToken);
  }
  log(`world ready: ${teams.length} teams, ${residents.length} residents, service ${serviceCode}`);

  // ---- load: orders at a steady rate, each retried with its own Idempotency-Key ----
  let loading = true;
  let accepting = true;
  const attempts: Attempt[] = [];
  const refusals: number[] = [];
  const inflight = new Set<Promise<void>>();
  const place = async (attempt: Attempt) => {
    const token = residents[randomInt(residents.length)];
    const deadline = Date.now() + opts.recoveryTimeoutSeconds * 1000 + 30000;
    while (Date.now() < deadline) {
      attempt.tries++;
      const res = await request(`${api}/api/v1/orders`, {
        method: 'POST',
        headers: { ...json(token), 'Idempotency-Key': attempt.key },
        body: JSON.stringify({ serviceCode, description: attempt.description, location: centre, address: `混沌村 ${attempts.indexOf(attempt) + 1} 号` }),
      });
      if (res.status === 201 || res.status === 200) {
        attempt.orderId = res.body.id;
        attempt.placedAt = Date.now();
        return;
      }
      refusals.push(Date.now());
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        log(`order refused for good: ${res.status} ${JSON.stringify(res.body)}`);
        break;
      }
      await sleep(Math.min(5000, (res.retryAfter ?? 1) * 1000));
    }
    attempt.gaveUp = true;
  };
  const newAttempt = (): Attempt => {
    const a: Attempt = { key: randomUUID(), description: `${runId}#${attempts.length + 1} 混沌测试`, tries: 0, startedAt: Date.now() };
    attempts.push(a);
    const p = place(a).finally(() => inflight.delete(p));
    inflight.add(p);
    return a;
  };
  const loadLoop = (async () => {
    const every = 1000 / opts.ordersPerSecond;
    let next = Date.now();
    while (loading) {
      newAttempt();
      next += every;
      await sleep(Math.max(0, next - Date.now()));
    }
  })();

  // ---- volunteers: each team's leader accepts what it is offered ----
  let acceptedCalls = 0;
  const acceptLoops = teams.map(async (team) => {
    while (accepting) {
      const list = await request(`${api}/api/v1/offers?status=pending&limit=100`, { headers: json(team.token), timeoutMs: 5000 });
      for (const offer of list.status === 200 ? list.body.items : []) {
        const res = await request(`${api}/api/v1/offers/${offer.id}/accept`, { method: 'POST', headers: json(team.token), timeoutMs: 5000 });
        if (res.status === 200) acceptedCalls++;
      }
      await sleep(700);
    }
  });

  const db = async <T>(fn: (c: Client) => Promise<T>): Promise<T> => {
    for (let i = 0; ; i++) {
      const c = new Client({ connectionString: layout.primaryUrl, connectionTimeoutMillis: 3000 });
      c.on('error', () => undefined);
      try {
        await c.connect();
        return await fn(c);
      } catch (e) {
        if (i >= 20) throw e;
        await sleep(500);
      } finally {
        await c.end().catch(() => undefined);
      }
    }
  };

  /**
   * Seconds from the fault until an order first requested after it (not one already in flight) was
   * answered and offered to a team (or accepted).
   */
  const recovery = async (since: number): Promise<number> => {
    const deadline = since + opts.recoveryTimeoutSeconds * 1000;
    while (Date.now() < deadline) {
      const placedAfter = attempts.filter((a) => a.orderId && a.startedAt > since).map((a) => a.orderId!);
      if (placedAfter.length) {
        const offered = await db((c) =>
          c.query(`SELECT min(e.at) AS at FROM order_events e WHERE e.order_id = ANY($1::uuid[]) AND e.type IN ('offer', 'accept')`, [placedAfter]),
        ).catch(() => undefined);
        const at = offered?.rows[0]?.at as Date | null | undefined;
        if (at) return Math.max(0, (at.getTime() - since) / 1000);
      }
      await sleep(250);
    }
    throw new Error(`the platform did not recover within ${opts.recoveryTimeoutSeconds}s`);
  };

  const untilTrue = async (what: string, probe: () => Promise<boolean>, seconds: number) => {
    const deadline = Date.now() + seconds * 1000;
    while (Date.now() < deadline) {
      if (await probe().catch(() => false)) return;
      await sleep(500);
    }
    throw new Error(`timed out: ${what}`);
  };

  const restartProcess = async (c: Component) => {
    // a supervisor (systemd, Kubernetes) restarts a crashed process after a moment
    await sleep(2000);
    await layout.start(c);
  };

  const faults: FaultReport[] = [];
  let placedIds: string[] = [];
  const inject = async (fault: FaultName): Promise<string> => {
    switch (fault) {
      case 'api-crash':
        await layout.crash('api1');
        void restartProcess('api1');
        return 'SIGKILL api1, restarted after 2 s';
      case 'dispatcher-crash':
        await layout.crash('dispatcher1');
        void restartProcess('dispatcher1');
        return 'SIGKILL dispatcher1, restarted after 2 s';
      case 'rating-crash':
        await layout.crash('rating');
        void restartProcess('rating');
        return 'SIGKILL rating, restarted after 2 s';
      case 'relay-crash':
        await layout.crash('relay');
        void restartProcess('relay');
        return 'SIGKILL relay (mid-batch under load), restarted after 2 s';
      case 'postgres-failover': {
        const leader = await layout.patroniLeader();
        if (!leader) throw new Error('no Patroni leader before the failover');
        await layout.crash(leader);
        return `SIGKILL ${leader} (Patroni leader and its postmaster)`;
      }
      case 'redis-failover': {
        const master = await layout.redisMaster();
        if (!master) throw new Error('no Redis master before the failover');
        await layout.crash(master);
        return `SIGKILL ${master} (Redis master)`;
      }
      case 'dispatcher-isolated':
        void layout.isolate('dispatcher3', opts.isolateSeconds);
        await sleep(500); // the route is in place
        return `dispatcher3 cut off from Redis for ${opts.isolateSeconds} s (blackhole route in its network namespace)`;
    }
  };

  /** After a fault: the failed engine rejoins (old primary as replica, old master as replica). */
  const heal = async (fault: FaultName, action: string) => {
    if (fault === 'postgres-failover') {
      const old = action.includes('pg1') ? 'pg1' : 'pg2';
      await untilTrue('a new Patroni leader', async () => {
        const l = await layout.patroniLeader();
        return l !== undefined && l !== old;
      }, 60);
      await layout.start(old);
      await untilTrue(`${old} the synchronous standby again`, () => layout.patroniSyncStandby(), 120);
    } else if (fault === 'redis-failover') {
      const old = action.includes('redis1') ? 'redis1' : 'redis2';
      await untilTrue('a new Redis master', async () => {
        const m = await layout.redisMaster();
        return m !== undefined && m !== old;
      }, 60);
      await layout.start(old);
    } else if (fault === 'dispatcher-isolated') {
      await sleep(opts.isolateSeconds * 1000 + 1000);
    } else {
      await sleep(3000);
    }
  };

  // the faults, one after another under load; then the settle time, with the volunteers still accepting
  try {
    try {
      await sleep(opts.calmSeconds * 1000);
      for (const fault of opts.faults) {
        const action = await inject(fault);
        // from when the fault has taken effect (the kill returned), so a request that slipped through before it does not count
        const at = Date.now();
        log(`fault: ${action}`);
        let recoverySeconds = await recovery(at);
        if (fault === 'rating-crash' || fault === 'relay-crash') {
          // 评单 and the relay are not on the order path: they have recovered when they answer again
          const url = fault === 'rating-crash' ? layout.ratingUrl : `http://127.0.0.1:${layout.ports.relay}`;
          await untilTrue(`${fault.replace('-crash', '')} answers again`, async () => (await request(`${url}/health/ready`, { timeoutMs: 1000 })).status === 200, opts.recoveryTimeoutSeconds);
          recoverySeconds = Math.max(recoverySeconds, (Date.now() - at) / 1000);
        }
        const refusedDuringFault = refusals.filter((t) => t >= at && t <= at + recoverySeconds * 1000).length;
        faults.push({ fault, action, recoverySeconds: Math.round(recoverySeconds * 10) / 10, refusedDuringFault });
        log(`recovered from ${fault} in ${recoverySeconds.toFixed(1)} s (${refusedDuringFault} refused meanwhile)`);
        await heal(fault, action);
        await sleep(opts.calmSeconds * 1000);
      }
    } finally {
      loading = false;
      await loadLoop;
      await Promise.allSettled([...inflight]);
    }
    placedIds = attempts.filter((a) => a.orderId).map((a) => a.orderId!);
    await untilTrue('every order accepted or escalated', async () => {
      const { rows } = await db((c) => c.query(`SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status IN ('dispatching', 'offered')`, [placedIds]));
      return rows[0].n === 0;
    }, 120).catch((e) => log(`settle: ${(e as Error).message}`));
  } finally {
    // whatever happened, no loop outlives the run
    loading = false;
    accepting = false;
    await Promise.allSettled(acceptLoops);
  }

  const invariants = await db((c) => checkInvariants(c, runId, placedIds, teams.map((t) => t.id)));
  const statusCounts = await db((c) =>
    c.query(`SELECT status, count(*)::int AS n FROM orders WHERE description LIKE $1 GROUP BY status`, [`${runId}#%`]),
  );
  const byStatus = Object.fromEntries(statusCounts.rows.map((r) => [r.status, r.n]));
  const report: ChaosReport = {
    runId,
    startedAt: new Date(started).toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    ordersPerSecond: opts.ordersPerSecond,
    placed: placedIds.length,
    refused: refusals.length,
    retried: attempts.filter((a) => a.orderId && a.tries > 1).length,
    gaveUp: attempts.filter((a) => a.gaveUp).length,
    accepted: byStatus.accepted ?? 0,
    escalated: byStatus.escalated ?? 0,
    notificationsSent: await db((c) => notificationsSent(c, runId)),
    lost: invariants.lost.length,
    doubled: invariants.doubled.length,
    faults,
    invariants,
  };
  log(`volunteers accepted ${acceptedCalls} offers`);
  return report;
}

/** The invariants, all from Postgres, for the orders and teams of one run. */
export async function checkInvariants(db: Client, runId: string, placedIds: string[], teamIds: string[]): Promise<InvariantReport> {
  const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
  const found = await db.query(`SELECT id FROM orders WHERE id = ANY($1::uuid[])`, [placedIds]);
  const foundSet = new Set(ids(found.rows));
  const lost = placedIds.filter((id) => !foundSet.has(id));
  const doubled = await db.query(
    `SELECT description AS id FROM orders WHERE description LIKE $1 GROUP BY description HAVING count(*) > 1`,
    [`${runId}#%`],
  );
  const stuck = await db.query(
    `SELECT o.id FROM orders o
      WHERE o.description LIKE $1
        AND (o.status = 'dispatching'
             OR (o.status = 'offered' AND NOT EXISTS (
                   SELECT 1 FROM offers f WHERE f.order_id = o.id AND f.status = 'pending' AND f.expires_at > now() - interval '30 seconds')))`,
    [`${runId}#%`],
  );
  const twoPending = await db.query(`SELECT order_id AS id FROM offers WHERE status = 'pending' GROUP BY order_id HAVING count(*) > 1`);
  const overCapacity = await db.query(
    `SELECT t.id FROM teams t
      WHERE t.id = ANY($1::uuid[])
        AND (t.active_orders > t.capacity
             OR t.active_orders <> (SELECT count(*) FROM orders o WHERE o.team_id = t.id AND o.status IN ('accepted', 'in_service')))`,
    [teamIds],
  );
  const notifications = await notificationDoubles(db, runId);
  const acceptEvents = await db.query(
    `SELECT o.id FROM orders o
      WHERE o.description LIKE $1 AND o.status = 'accepted'
        AND (SELECT count(*) FROM order_events e WHERE e.order_id = o.id AND e.type = 'accept') <> 1`,
    [`${runId}#%`],
  );
  return {
    lost,
    doubled: ids(doubled.rows),
    stuck: ids(stuck.rows),
    twoPendingOffers: ids(twoPending.rows),
    overCapacity: ids(overCapacity.rows),
    acceptEventsWrong: ids(acceptEvents.rows),
    notificationsDoubled: notifications.doubled,
    notificationsTwicePerChannel: notifications.twicePerChannel,
  };
}

/**
 * "No notification was sent twice per channel", for the notifications of this run's orders: deliveries
 * that reached a provider as more than one message (the notification_double_sends view: message ids from
 * the attempts and from the delivery reports), and, though the UNIQUE (notification_id, channel)
 * constraint forbids it, intents with two deliveries on one channel.
 */
async function notificationsSent(db: Client, runId: string): Promise<number> {
  const { rows } = await db.query(
    `SELECT count(*)::int AS n
       FROM notification_deliveries d
       JOIN notifications n ON n.id = d.notification_id
       JOIN orders o ON o.id = n.order_id
      WHERE o.description LIKE $1 AND d.status IN ('sent', 'delivered')`,
    [`${runId}#%`],
  );
  return rows[0].n;
}

async function notificationDoubles(db: Client, runId: string): Promise<{ doubled: string[]; twicePerChannel: string[] }> {
  const doubled = await db.query(
    `SELECT d.id || ':' || d.channel AS id
       FROM notification_double_sends x
       JOIN notification_deliveries d ON d.id = x.delivery_id
       JOIN notifications n ON n.id = d.notification_id
       JOIN orders o ON o.id = n.order_id
      WHERE o.description LIKE $1`,
    [`${runId}#%`],
  );
  const twice = await db.query(
    `SELECT d.notification_id || ':' || d.channel AS id
       FROM notification_deliveries d
       JOIN notifications n ON n.id = d.notification_id
       JOIN orders o ON o.id = n.order_id
      WHERE o.description LIKE $1
      GROUP BY d.notification_id, d.channel HAVING count(*) > 1`,
    [`${runId}#%`],
  );
  return { doubled: doubled.rows.map((r) => r.id), twicePerChannel: twice.rows.map((r) => r.id) };
}

export function formatReport(r: ChaosReport): string {
  const lines = [
    `chaos run ${r.runId}: ${r.durationSeconds} s at ${r.ordersPerSecond} orders/s`,
    `orders placed ${r.placed}, refused during faults ${r.refused}, retried ${r.retried}, gave up ${r.gaveUp}, lost ${r.lost}, doubled ${r.doubled}`,
    `accepted ${r.accepted}, escalated ${r.escalated}, notifications sent ${r.notificationsSent}`,
    ...r.faults.map((f) => `  ${f.fault.padEnd(20)} recovered in ${f.recoverySeconds.toFixed(1).padStart(5)} s, ${String(f.refusedDuringFault).padStart(3)} refused — ${f.action}`),
    `invariants: ${Object.entries(r.invariants).map(([k, v]) => `${k}=${(v as string[]).length}`).join(', ')}`,
  ];
  return lines.join('\n');
}
