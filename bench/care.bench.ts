/**
 * care: the missed-check-in sweep and visit-task generation at county size.
 *
 * 1. deadline sweep: N people with a plan whose deadline is the same instant D (a few seconds after
 *    the dispatcher has started), 10 % of them checked in today. The dispatcher runs its care sweep
 *    every CARE_SWEEP_MS (5 s by default, as in production). This process watches the alerts
 *    appear (a count every 100 ms) and reports the time from D to each alert being committed
 *    (p50/p90/p99/max), with the CPU Postgres and the dispatcher used meanwhile.
 * 2. visit generation: every person has two duties (a daily call, a weekly visit); the time for the
 *    dispatcher's sweep to make the 14-day window of tasks for all of them, and rows/s.
 *
 *   node dist/bench/care.bench.js          options: --people <n> (10000; --full: 100000), --sweep-only (skip part 2)
 */
import { Client } from 'pg';
import { argValue, cpuShare, cpuSnapshot, nowMs, resetBenchRedis, round, sleep, summarize } from './lib/dispatch-bench';
import { BENCH_DATABASE_URL, FULL, freshDatabase, machine, printTable, startApp, writeResult } from './lib/harness';

const PEOPLE = Number(argValue('--people') ?? (FULL ? 100_000 : 10_000));
const CHECKED_IN_SHARE = 0.1;
const SWEEP_ONLY = process.argv.includes('--sweep-only');

async function main() {
  console.log(`care: ${PEOPLE} people with plans, one deadline; then 14 days of visit tasks for them`);
  await freshDatabase();
  await resetBenchRedis();
  const db = new Client({ connectionString: BENCH_DATABASE_URL });
  await db.connect();

  // ---- the world: a county, one staff account, N profiles with plans and duties --------------
  const t0 = nowMs();
  const [{ id: county }] = (await db.query(`INSERT INTO regions (name, level) VALUES ('基准县', 'county') RETURNING id`)).rows;
  const [{ id: staff }] = (await db.query(`INSERT INTO users (name, roles, region_id) VALUES ('基准网格员', ARRAY['grid_worker'], $1) RETURNING id`, [county])).rows;
  await db.query(
    `INSERT INTO beneficiaries (created_by, region_id, name, age_band, address, location)
     SELECT $1, $2, '老人' || g, '80_plus', '基准村' || g || '号', ST_SetSRID(ST_MakePoint(120 + (g % 1000) * 0.0001, 30 + (g / 1000) * 0.0001), 4326)::geography
       FROM generate_series(1, $3) AS g`,
    [staff, county, PEOPLE],
  );
  // the deadline: far enough ahead for the dispatcher to start; daily_by/grace describe later days
  const deadline = new Date(Date.now() + 45_000);
  await db.query(
    `INSERT INTO care_plans (beneficiary_id, daily_by, grace_minutes, time_zone, next_deadline_at, created_by, updated_by)
     SELECT id, '08:00', 30, 'Asia/Shanghai', $1, $2, $2 FROM beneficiaries`,
    [deadline, staff],
  );
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(deadline.getTime() - 30 * 60_000));
  await db.query(
    `INSERT INTO care_check_ins (beneficiary_id, local_day, source, at)
     SELECT id, $1, 'device', now() FROM beneficiaries ORDER BY id LIMIT $2`,
    [today, Math.round(PEOPLE * CHECKED_IN_SHARE)],
  );
  // duties are made "generated" far ahead for now, so part 1 measures the deadline sweep alone
  await db.query(
    `INSERT INTO care_duties (beneficiary_id, kind, rrule, assignee_user_id, generated_until)
     SELECT id, k.kind, k.rrule, $1, now() + interval '100 days' FROM beneficiaries,
            (VALUES ('call', 'FREQ=DAILY;BYHOUR=10'), ('visit', 'FREQ=WEEKLY;BYDAY=TU')) AS k(kind, rrule)`,
    [staff],
  );
  await db.query('ANALYZE');
  const expected = PEOPLE - Math.round(PEOPLE * CHECKED_IN_SHARE);
  console.log(`world built in ${round((nowMs() - t0) / 1000)} s; ${expected} alerts expected at ${deadline.toISOString()}`);

  // ---- 1. the deadline sweep ------------------------------------------------------------------
  const dispatcher = await startApp('dispatcher', 3902, { CARE_SWEEP_MS: process.env.CARE_SWEEP_MS ?? '5000' });
  const wait = deadline.getTime() - Date.now();
  if (wait < 0) throw new Error('the dispatcher took longer to start than the margin before the deadline');
  await sleep(wait);
  const cpuA = cpuSnapshot({ dispatcher: dispatcher.child.pid });
  const arrivals: number[] = []; // ms after the deadline at which the count was seen, one entry per alert
  let seen = 0;
  const started = Date.now();
  while (seen < expected && Date.now() - started < 120_000) {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM care_alerts`);
    const at = Date.now() - deadline.getTime();
    for (let i = seen; i < rows[0].n; i++) arrivals.push(at);
    seen = rows[0].n;
    if (seen < expected) await sleep(100);
  }
  const cpuB = cpuSnapshot({ dispatcher: dispatcher.child.pid });
  const sweep = summarize(arrivals, 0);
  const { rows: [dups] } = await db.query(`SELECT count(*)::int AS n FROM (SELECT 1 FROM care_alerts GROUP BY beneficiary_id, local_day HAVING count(*) > 1) d`);
  const { rows: [events] } = await db.query(`SELECT count(*)::int AS n FROM outbox_events WHERE type = 'care.checkin_missed'`);

  // ---- 2. visit generation --------------------------------------------------------------------
  const cpuC = cpuSnapshot({ dispatcher: dispatcher.child.pid });
  const g0 = Date.now();
  if (!SWEEP_ONLY) await db.query(`UPDATE care_duties SET generated_until = NULL`);
  const duties = SWEEP_ONLY ? 0 : PEOPLE * 2;
  let generatedDuties = 0;
  while (generatedDuties < duties && Date.now() - g0 < 600_000) {
    await sleep(250);
    generatedDuties = (await db.query(`SELECT count(*)::int AS n FROM care_duties WHERE generated_until IS NOT NULL`)).rows[0].n;
  }
  const genSeconds = (Date.now() - g0) / 1000;
  const cpuD = cpuSnapshot({ dispatcher: dispatcher.child.pid });
  const tasks = (await db.query(`SELECT count(*)::int AS n FROM care_visits`)).rows[0].n;
  await dispatcher.stop();
  await db.end();

  const result = {
    machine: machine(),
    people: PEOPLE,
    sweepEveryMs: Number(process.env.CARE_SWEEP_MS ?? 5000),
    deadlineSweep: {
      alertsExpected: expected, alertsOpened: seen, duplicates: dups.n, outboxEvents: events.n,
      msFromDeadlineToAlert: sweep,
      cpuCores: cpuShare(cpuA, cpuB),
    },
    visitGeneration: {
      duties: generatedDuties, tasks, seconds: round(genSeconds), tasksPerSecond: round(tasks / genSeconds, 0),
      cpuCores: cpuShare(cpuC, cpuD),
    },
  };
  printTable('deadline sweep', [
    ['people / alerts expected', `${PEOPLE} / ${expected}`],
    ['alerts opened (duplicates)', `${seen} (${dups.n})`],
    ['ms from deadline to alert p50/p90/p99/max', `${sweep.p50} / ${sweep.p90} / ${sweep.p99} / ${sweep.max}`],
    ['CPU cores (postgres, dispatcher)', `${result.deadlineSweep.cpuCores.postgres}, ${result.deadlineSweep.cpuCores.dispatcher}`],
  ]);
  printTable('visit generation (14 days)', [
    ['duties / tasks', `${generatedDuties} / ${tasks}`],
    ['seconds, tasks/s', `${round(genSeconds)}, ${result.visitGeneration.tasksPerSecond}`],
    ['CPU cores (postgres, dispatcher)', `${result.visitGeneration.cpuCores.postgres}, ${result.visitGeneration.cpuCores.dispatcher}`],
  ]);
  writeResult(FULL ? 'care.full' : 'care', result);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
