import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { adminUrl, suiteDatabasePattern, templateDatabaseUrl } from './databases';
import { ROOT } from './env';
import { acquireTestRunLock } from './run-lock';

/**
 * Once per run: a fresh template database with the real migrations (needs `npm run build` first).
 * Every end-to-end suite then runs in its own clone of it (suite-environment.ts). Clones left by an
 * interrupted run are dropped here — after making sure no other run uses the same database or Redis db
 * (run-lock.ts; released in global-teardown.ts).
 */
export default async function globalSetup(): Promise<void> {
  const cli = join(ROOT, 'dist/libs/database/src/cli/migrate.js');
  if (!existsSync(cli)) throw new Error('dist/ is missing: run `npm test` (it builds first) or `npm run build`');
  (globalThis as { xinyuanTestRunLock?: unknown }).xinyuanTestRunLock = await acquireTestRunLock();
  const template = templateDatabaseUrl();
  const name = new URL(template).pathname.slice(1);
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    const { rows } = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [suiteDatabasePattern()]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  execFileSync(process.execPath, [cli], { env: { ...process.env, DATABASE_URL: template }, stdio: 'inherit' });
}
