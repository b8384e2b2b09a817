/**
 * dispatch throughput: orders offered (or escalated) per second by ONE dispatcher process. K orders
 * are pre-loaded in `dispatching` directly in SQL on the synthetic world (with their `placed`
 * event, exactly the rows the api writes), their dispatch jobs are enqueued into BullMQ exactly as
 * the api enqueues them (queue, job name, job id, payload and options from
 * libs/queue/src/queue-contracts.ts, same prefix), then one dispatcher is started and the time until
 * every order has left `dispatching` is measured from the order events. In the same run, the same
 * number of no-op jobs (a Worker whose processor returns at once) on the same Redis with the
 * dispatcher's concurrency and worker options gives the queue's own ceiling, and the ratio.
 *
 *   node dist/bench/dispatch-throughput.bench.js          quick: 10,000 teams, 100,000 orders, K = 5,000
 *   node dist/bench/dispatch-throughput.bench.js --full   100,000 teams, 1,000,000 orders, K = 20,000
 *   options: --orders <K>   --env KEY=VALUE (dispatcher environment, repeatable)
 */
import { Job, Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import * as contracts from '../libs/queue/src/queue-contracts';
import { JobName, jobIds, QueueName, RETENTION, RETRY } from '../libs/queue/src/queue-contracts';
import {
  ActivitySampler, backendCpuSpent, committedTransactions, walBytesSince, walPosition, databaseBackendCpu, productVersion, stopWithin, argValue, BENCH_QUEUE_PREFIX, cpuShare, cpuSnapshot, dispatcherMetrics, dispatchSettings, envOverrides, failedJobReasons, niceBucket, nowMs,
  productConfig, resetBenchRedis, resultName, round, sleep, summarize,
} from './lib/dispatch-bench';
import { describePeaks, PeakMemory, PeakRssSampler } from './lib/memory';
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, bucketize, freshDatabase, FULL, histogramSvg, machine, printTable, startApp, writeResult } from './lib/harness';
import { buildWorld, WORLD_FULL, WORLD_QUICK } from './lib/world';

const K = Number(argValue('--orders') ?? (FULL ? 20_000 : 5_000));
const ENV = envOverrides();
const TIMEOUT_MS = Math.max(120_000, K * 10);

/** The options the api's DispatchQueue gives a dispatch job (defaultJobOptions + add options). */
function jobOptions(data: { orderId: string; version: number; urgent?: boolean }) {
  const priority = (contracts as any).PRIORITY as { urgent: number; normal: number } | undefined;
  return {
    ...RETRY,
    ...RETENTION,
    jobId: jobIds.dispatchOrder(data),
    ...(priority ? { priority: data.urgent ? priority.urgent : priority.normal } : {}),
  };
}

async function main() {
  const size = FULL ? WORLD_FULL : WORLD_QUICK;
  const m = machine();
  const cfg = productConfig();
  const concurrency = Number(ENV.DISPATCH_CONCURRENCY ?? cfg.DISPATCH_CONCURRENCY);
  console.log(`dispatch-throughput (${FULL ? 'full' : 'quick'}): world of ${size.teams} teams / ${size.orders} historical orders, K = ${K}`);
  await freshDatabase();
  const world = await buildWorld(size);
  await resetBenchRedis();

  const db = new Client({ connectionString: BENCH_DATABASE_URL });
  await db.connect();
  const redis = new IORedis(BENCH_REDIS_URL, { maxRetriesPerRequest: null });
  try {
    m.postgres = (await db.query(`SELECT split_part(version(), ' ', 2) AS v`)).rows[0].v;

    // ---- K orders waiting for dispatch, as the api leaves them --------------------------------
    const t0 = performance.now();
    const { rows: orders } = await db.query(
      `WITH x AS MATERIALIZED (
         SELECT i, 1 + floor(random() * $2)::int AS resident_k, floor(random() * (SELECT count(*) FROM services))::int AS service_k
           FROM generate_series(1, $1::int + 100) i
       ), pick AS MATERIALIZED (
         SELECT u.id AS resident_id, '15' || lpad(x.resident_k::text, 9, '0') AS phone, h.location, s.id AS service_id, s.code AS service_code, s.name AS service_name, x.i
           FROM x
           JOIN users u ON u.name = '居民' || x.resident_k
           CROSS JOIN LATERAL (SELECT location FROM orders o WHERE o.resident_id = u.id LIMIT 1) h
           CROSS JOIN LATERAL (SELECT id, code, name FROM services ORDER BY code OFFSET x.service_k LIMIT 1) s
          ORDER BY x.i LIMIT $1  -- a resident without a historical order has no home: a few spare rows
       ), ins AS (
         INSERT INTO orders (resident_id, service_id, service_code, description, location, address, contact_phone, region_id, status)
         SELECT resident_id, service_id, service_code, '基准吞吐测试：' || service_name, location, '基准小区 ' || (i % 300) || ' 幢', phone,
                (SELECT r.id FROM regions r WHERE r.boundary IS NOT NULL AND ST_Covers(r.boundary, pick.location)
                  ORDER BY array_position(ARRAY['point', 'village', 'township', 'county'], r.level) LIMIT 1),
                'dispatching'
           FROM pick
         RETURNING id, version, urgent, resident_id
       ), ev AS (
         INSERT INTO order_events (order_id, type, from_status, to_status, actor_id, actor_role, note)
         SELECT id, 'placed', NULL, 'dispatching', resident_id, 'resident', '已下单，正在派单' FROM ins
       )
       SELECT id, version, urgent FROM ins`,
      [K, Math.round(size.orders / 10)],
    );
    const preloadS = (performance.now() - t0) / 1000;

    // ---- their dispatch jobs, as the api enqueues them ------------------------------------------
    const t1 = performance.now();
    const queue = new Queue(QueueName.Dispatch, { connection: redis, prefix: BENCH_QUEUE_PREFIX, defaultJobOptions: { ...RETRY, ...RETENTION } });
    for (let i = 0; i < orders.length; i += 500) {
      await queue.addBulk(
        orders.slice(i, i + 500).map((o) => {
          const data = { orderId: o.id as string, version: o.version as number, urgent: o.urgent as boolean };
          return { name: JobName.DispatchOrder, data, opts: jobOptions(data) };
        }),
      );
    }
    const enqueueS = (performance.now() - t1) / 1000;
    const queued = await queue.getJobCounts();
    console.log(`  pre-loaded ${orders.length} orders in ${preloadS.toFixed(1)} s, enqueued in ${enqueueS.toFixed(1)} s: ${JSON.stringify(queued)}`);

    // ---- one dispatcher ---------------------------------------------------------------------------
    const ids = orders.map((o) => o.id as string);
    const spawnedMs = nowMs();
    const cpuStart = cpuSnapshot({ loadGenerator: process.pid });
    const sampler = new ActivitySampler(BENCH_DATABASE_URL);
    sampler.start();
    const dbCpuStart = await databaseBackendCpu(db);
    const commitsStart = await committedTransactions(db);
    const walStart = await walPosition(db);
    const dispatcher = await startApp('dispatcher', 3922, ENV);
    const readyMs = nowMs();
    const memory = new PeakRssSampler({ dispatcher: dispatcher.child.pid }).start();
    let peakMemory: Record<string, PeakMemory> = {};
    let settled = false;
    let metrics: Record<string, number> = {};
    let cpu: Record<string, number> = {};
    let activity: Awaited<ReturnType<ActivitySampler['stop']>> | undefined;
    const progress: [number, number][] = [];
    let stopped: Awaited<ReturnType<typeof stopWithin>> | undefined;
    let dbCpuSeconds = 0;
    let commits = 0;
    let wal = { bytes: 0, checkpoints: 0 };
    try {
      const deadline = Date.now() + TIMEOUT_MS;
      while (Date.now() < deadline) {
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status = 'dispatching'`, [ids]);
        progress.push([round((nowMs() - spawnedMs) / 1000, 2), K - rows[0].n]);
        if (rows[0].n === 0) {
          settled = true;
          break;
        }
        await sleep(500);
      }
      dbCpuSeconds = backendCpuSpent(dbCpuStart, await databaseBackendCpu(db, sampler.pid ? [sampler.pid] : []));
      wal = await walBytesSince(db, walStart);
      await sleep(600); // the statistics collector's lag
      commits = (await committedTransactions(db)) - commitsStart;
      activity = await sampler.stop();
      metrics = await dispatcherMetrics(dispatcher.url);
      peakMemory = memory.stop();
      const snap = cpuSnapshot({ loadGenerator: process.pid, dispatcher: dispatcher.child.pid });
      cpu = cpuShare({ ...cpuStart, seconds: { ...cpuStart.seconds, dispatcher: 0 } }, snap);
    } finally {
      stopped = await stopWithin(dispatcher, 30_000);
    }

    // when each order was offered or escalated: its event's clock_timestamp(); the offer's created_at is
    // the start of the transaction that wrote it
    const { rows: done } = await db.query(
      `SELECT o.id, o.status,
              (SELECT extract(epoch FROM min(e.at)) * 1000 FROM order_events e
                WHERE e.order_id = o.id AND e.to_status IN ('offered', 'escalated')) AS settled_ms,
              (SELECT extract(epoch FROM min(f.created_at)) * 1000 FROM offers f WHERE f.order_id = o.id) AS tx_start_ms,
              (SELECT count(*) FROM order_events e WHERE e.order_id = o.id AND e.type = 'widen') AS widenings
         FROM orders o WHERE o.id = ANY($1::uuid[])`,
      [ids],
    );
    const settledAt = done.filter((d) => d.settled_ms !== null).map((d) => Number(d.settled_ms)).sort((a, b) => a - b);
    const offered = done.filter((d) => d.status === 'offered').length;
    const escalated = done.filter((d) => d.status === 'escalated').length;
    const stillDispatching = done.filter((d) => d.status === 'dispatching').length;
    const first = settledAt[0];
    const last = settledAt[settledAt.length - 1];
    const steadyRate = (settledAt.length - 1) / ((last - first) / 1000);
    const wallRate = settledAt.length / ((last - spawnedMs) / 1000);
    const txMs = done.filter((d) => d.tx_start_ms !== null && d.settled_ms !== null).map((d) => Number(d.settled_ms) - Number(d.tx_start_ms));
    const tx = summarize(txMs);
    const failed = await failedJobReasons(QueueName.Dispatch);

    // ---- the queue's own ceiling: K no-op jobs, same Redis, same options, same concurrency ----------
    await resetBenchRedis();
    const noop = await noopJobs(K, concurrency, cfg);
    const ratio = steadyRate / noop.steadyJobsPerSecond;

    const jobs = (job: string, outcome: string) => metrics[`xinyuan_jobs_total{job="${job}",outcome="${outcome}"}`] ?? 0;
    const meanJobMs = (job: string) =>
      metrics[`xinyuan_job_duration_ms_count{job="${job}"}`] ? round(metrics[`xinyuan_job_duration_ms_sum{job="${job}"}`] / metrics[`xinyuan_job_duration_ms_count{job="${job}"}`], 1) : null;
    const result = {
      name: 'dispatch-throughput',
      at: new Date().toISOString(),
      mode: FULL ? 'full' : 'quick',
      machine: m,
      product: productVersion(),
      world: world.report,
      settings: { ...dispatchSettings(), ...ENV },
      envOverrides: ENV,
      orders: K,
      preload: { seconds: round(preloadS, 2), enqueueSeconds: round(enqueueS, 2), queueCounts: queued },
      dispatcher: {
        allSettled: settled,
        offered,
        escalated,
        stillDispatching,
        widenedOrders: done.filter((d) => Number(d.widenings) > 0).length,
        bootSeconds: round((readyMs - spawnedMs) / 1000, 2),
        firstSettledAfterSpawnSeconds: round((first - spawnedMs) / 1000, 2),
        lastSettledAfterSpawnSeconds: round((last - spawnedMs) / 1000, 2),
        ordersPerSecondSteady: round(steadyRate, 1),
        ordersPerSecondIncludingBoot: round(wallRate, 1),
        offerTransactionMs: tx,
        postgresCpuMsPerOrder: round((dbCpuSeconds * 1000) / Math.max(1, settledAt.length), 2),
        committedTransactionsPerOrder: round(commits / Math.max(1, settledAt.length), 2),
        walBytesPerOrderServerWide: Math.round(wal.bytes / Math.max(1, settledAt.length)),
        checkpointsDuringRun: wal.checkpoints,
        jobs: {
          dispatchOrderCompleted: jobs('dispatch-order', 'completed'),
          dispatchOrderFailed: jobs('dispatch-order', 'failed'),
          dispatchBatchCompleted: jobs('dispatch-batch', 'completed'),
          dispatchBatchFailed: jobs('dispatch-batch', 'failed'),
          reconcileCompleted: jobs('reconcile', 'completed'),
          meanDispatchOrderJobMs: meanJobMs('dispatch-order'),
          meanDispatchBatchJobMs: meanJobMs('dispatch-batch'),
          meanReconcileJobMs: meanJobMs('reconcile'),
        },
        failedJobs: failed,
        stop: stopped,
        coresUsed: cpu,
        /** peak resident set of the dispatcher while it worked off the queue (VmHWM / polled VmRSS); target ≤ 300 MB */
        peakMemory: peakMemory.dispatcher,
        postgresActivity: activity,
        progress,
      },
      noopJobs: noop,
      dispatcherToNoopRatio: round(ratio, 4),
      notes: [
        'ordersPerSecondSteady: (settled − 1) / (last − first settle), settle = clock_timestamp() of the order\'s offer/escalate event; IncludingBoot counts from spawning the dispatcher process.',
        'postgresCpuMsPerOrder: CPU (from /proc) of the client backends serving the bench database, except this benchmark\'s own connections, from just before the dispatcher starts to the last order settled, over the orders settled; other databases on the server do not count.',
        'offerTransactionMs: offer event clock − offers.created_at (the start of the transaction that wrote the offer); in batch mode it is the time from the batch transaction start to the moment this order was handled.',
        'The no-op run uses a fresh queue on the same Redis and prefix, the dispatch jobs\' name, id pattern, payload size and options, and the dispatcher\'s worker options (concurrency, lock, stalled interval).',
      ],
    };

    printTable(`dispatch throughput (${result.mode}, K = ${K}, world ${size.teams} teams / ${size.orders} orders) on ${m.cores} × ${m.cpu}`, [
      ['world build s', world.report.buildSeconds],
      ['pre-load SQL s / enqueue s', `${round(preloadS, 2)} / ${round(enqueueS, 2)}`],
      ['all settled', settled ? 'yes' : `NO (timeout ${TIMEOUT_MS / 1000} s)`],
      ['offered / escalated / still dispatching', `${offered} / ${escalated} / ${stillDispatching}`],
      ['dispatcher boot s / first settled s / last settled s', `${result.dispatcher.bootSeconds} / ${result.dispatcher.firstSettledAfterSpawnSeconds} / ${result.dispatcher.lastSettledAfterSpawnSeconds}`],
      ['orders/s (first → last settled)', round(steadyRate, 1)],
      ['orders/s (incl. boot)', round(wallRate, 1)],
      ['offer tx ms p50/p90/p99/max', `${tx.p50} / ${tx.p90} / ${tx.p99} / ${tx.max}`],
      ['jobs: dispatch-order / dispatch-batch / reconcile', `${result.dispatcher.jobs.dispatchOrderCompleted} / ${result.dispatcher.jobs.dispatchBatchCompleted} / ${result.dispatcher.jobs.reconcileCompleted}`],
      ['mean job ms: dispatch-order / batch / reconcile', `${result.dispatcher.jobs.meanDispatchOrderJobMs} / ${result.dispatcher.jobs.meanDispatchBatchJobMs} / ${result.dispatcher.jobs.meanReconcileJobMs}`],
      ['failed jobs', Object.entries(failed).map(([k, v]) => `${v}× ${k}`).join('; ') || 0],
      ['Postgres CPU ms per order (backends of the bench database)', result.dispatcher.postgresCpuMsPerOrder],
      ['committed transactions per order (bench database, incl. the bench\'s polls)', result.dispatcher.committedTransactionsPerOrder],
      ['WAL bytes per order (whole server, during the run) / checkpoints', `${result.dispatcher.walBytesPerOrderServerWide} / ${result.dispatcher.checkpointsDuringRun}`],
      ['cores used: dispatcher / postgres / redis', `${cpu.dispatcher} / ${cpu.postgres} / ${cpu.redis}`],
      ['peak RSS', describePeaks(peakMemory)],
      [`no-op jobs/s (concurrency ${concurrency})`, round(noop.steadyJobsPerSecond, 1)],
      ['dispatcher / no-op', `${(ratio * 100).toFixed(1)} %`],
    ]);
    if (activity) {
      console.log('\n  Postgres: statements by mean active backends (sampled every 50 ms)');
      for (const st of activity.statements.slice(0, 8)) console.log(`    ${st.activeBackends.toFixed(2).padStart(6)}  ${st.query}`);
      console.log(`    waits: ${Object.entries(activity.waits).slice(0, 6).map(([w, v]) => `${w} ${v}`).join(', ')}`);
    }
    writeResult(
      resultName('dispatch-throughput', ENV),
      result,
      histogramSvg(`offer transaction (start → order handled), K = ${K}: p50 ${tx.p50} ms, p99 ${tx.p99} ms`, bucketize(txMs, niceBucket(tx.p99), 60)),
    );
    await queue.close();
  } finally {
    await db.end();
    redis.disconnect();
  }
}

/**
 * K jobs shaped like dispatch jobs on a separate queue, then a Worker whose processor returns at
 * once, with the dispatcher's worker options; jobs/s from the first to the last completion.
 */
async function noopJobs(k: number, concurrency: number, cfg: Record<string, any>) {
  const name = 'noop-bench';
  const producer = new IORedis(BENCH_REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection: producer, prefix: BENCH_QUEUE_PREFIX, defaultJobOptions: { ...RETRY, ...RETENTION } });
  for (let i = 0; i < k; i += 500) {
    await queue.addBulk(
      Array.from({ length: Math.min(500, k - i) }, (_, j) => {
        const data = { orderId: `00000000-0000-4000-8000-${String(i + j).padStart(12, '0')}`, version: 1, urgent: false };
        return { name: JobName.DispatchOrder, data, opts: jobOptions(data) };
      }),
    );
  }
  const lockMs = Number(ENV.WORKER_LOCK_MS ?? cfg.WORKER_LOCK_MS ?? 30000);
  const times: number[] = [];
  const connection = new IORedis(BENCH_REDIS_URL, { maxRetriesPerRequest: null, enableReadyCheck: true });
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const started = nowMs();
  const worker = new Worker(name, async (_job: Job) => undefined, {
    connection,
    prefix: BENCH_QUEUE_PREFIX,
    concurrency,
    lockDuration: lockMs,
    stalledInterval: Math.max(1000, Math.floor(lockMs / 2)),
    maxStalledCount: 5,
  });
  worker.on('completed', () => {
    times.push(nowMs());
    if (times.length === k) resolveDone();
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, TIMEOUT_MS)))]);
  clearTimeout(timer);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  producer.disconnect();
  const first = times[0];
  const last = times[times.length - 1];
  return {
    jobs: k,
    completed: times.length,
    concurrency,
    steadyJobsPerSecond: round((times.length - 1) / ((last - first) / 1000), 1),
    jobsPerSecondFromWorkerStart: round(times.length / ((last - started) / 1000), 1),
  };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
