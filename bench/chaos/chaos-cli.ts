import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ALL_FAULTS, FaultName, formatReport, runChaos } from './chaos';
import { HaLayout } from './ha-layout';

/**
 * `npm run chaos` — the long form: its own HA layout (state in /tmp/xinyuan-ha-chaos, ports +20000,
 * so it never meets `npm run up -- --ha` or the test suite's), a steady load, every fault, the
 * invariants, a report in bench/results/chaos.json; then the layout is removed (`--keep` keeps it).
 *
 *   npm run chaos -- [--rate 10] [--calm 20] [--isolate 30] [--faults api-crash,postgres-failover] [--keep]
 */
async function main() {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
  };
  const faults = arg('faults', ALL_FAULTS.join(',')).split(',') as FaultName[];
  for (const f of faults) if (!ALL_FAULTS.includes(f)) throw new Error(`unknown fault ${f}; known: ${ALL_FAULTS.join(', ')}`);
  const adminPassword = 'Admin#Chaos2026';
  const layout = new HaLayout({
    dir: process.env.XINYUAN_HA_DIR ?? '/tmp/xinyuan-ha-chaos',
    portOffset: Number(process.env.HA_PORT_OFFSET ?? 20000),
    net: Number(process.env.HA_NET ?? 233),
    queuePrefix: 'chaos',
    appEnv: {
      ADMIN_PASSWORD: adminPassword,
      RATE_LIMIT_PER_IP: '10000000', RATE_LIMIT_PER_USER: '10000000', RATE_LIMIT_AUTH_PER_IP: '10000000',
      OPEN_ORDER_LIMIT: '0', RECONCILE_INTERVAL_MS: '2000', RECONCILE_STUCK_AFTER_MS: '5000', WORKER_LOCK_MS: '10000',
      NOTIFY_QUIET_HOURS: 'off',
      SMS_SEND_PER_IP_PER_MINUTE: '100000', SMS_SEND_PER_PREFIX_PER_MINUTE: '100000', SMS_SEND_GLOBAL_PER_MINUTE: '100000',
    },
  });
  const deadline = setTimeout(() => {
    console.error('[chaos] the run exceeded its 30-minute bound; stopping');
    void layout.destroy().finally(() => process.exit(2));
  }, 30 * 60 * 1000);
  deadline.unref();
  console.log('[chaos] starting the HA layout …');
  await layout.destroy().catch(() => undefined);
  await layout.up();
  let failed = false;
  try {
    const report = await runChaos({
      layout, adminPhone: '13800000000', adminPassword, faults,
      ordersPerSecond: Number(arg('rate', '10')), calmSeconds: Number(arg('calm', '20')), isolateSeconds: Number(arg('isolate', '30')),
      recoveryTimeoutSeconds: 90,
    });
    console.log(formatReport(report));
    const dir = resolve(__dirname.includes('/dist/bench/') ? join(__dirname, '../../../bench/results') : join(__dirname, '../results'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'chaos.json'), JSON.stringify(report, null, 2) + '\n');
    const broken = Object.entries(report.invariants).filter(([, v]) => (v as string[]).length > 0);
    failed = broken.length > 0 || report.gaveUp > 0;
    if (failed) console.error(`[chaos] FAILED: ${broken.map(([k]) => k).join(', ')}${report.gaveUp ? `, ${report.gaveUp} requests gave up` : ''}`);
  } finally {
    if (!args.includes('--keep')) await layout.destroy();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
