import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { ROOT, TEST_DATABASE_URL } from './env';

/** A fresh test database with the real migrations, once per run (needs `npm run build` first). */
export default async function globalSetup(): Promise<void> {
  const cli = join(ROOT, 'dist/libs/database/src/cli/migrate.js');
  if (!existsSync(cli)) throw new Error('dist/ is missing: run `npm test` (it builds first) or `npm run build`');
  const url = new URL(TEST_DATABASE_URL);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
  execFileSync(process.execPath, [cli], { env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL }, stdio: 'inherit' });
}
