import { Client } from 'pg';
import { adminUrl, templateDatabaseUrl } from './databases';
import { TEST_REDIS_URL } from './env';

/**
 * One test run at a time per test database and per Redis db. Two checkouts testing on one machine with
 * the same names would drop each other's suite databases (global-setup.ts) and flush each other's
 * queues; instead the second run stops at once and says what to set. Held by a Postgres session-level
 * advisory lock on the template's server for the whole run: a run that dies releases it with its
 * connection.
 */
export async function acquireTestRunLock(): Promise<Client> {
  const database = new URL(templateDatabaseUrl()).pathname.slice(1);
  const redis = new URL(TEST_REDIS_URL);
  const redisName = `${redis.hostname}:${redis.port || 6379}${redis.pathname.length > 1 ? redis.pathname : '/0'}`;
  const client = new Client({ connectionString: adminUrl() });
  // a test that restarts Postgres ends this session (and the lock with it); that must not end the run
  client.on('error', () => undefined);
  await client.connect();
  const taken = async (what: string) =>
    !(await client.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok`, [`xinyuan test run: ${what}`])).rows[0].ok;
  const busy = [
    ...((await taken(`database ${database}`)) ? [`the test database "${database}" (TEST_DATABASE_URL)`] : []),
    ...((await taken(`redis ${redisName}`)) ? [`Redis db ${redisName} (TEST_REDIS_URL)`] : []),
  ];
  if (busy.length) {
    await client.end();
    throw new Error(
      `another test run on this machine is using ${busy.join(' and ')}. Wait for it, or give this checkout its own: ` +
        `TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/xinyuan_test_mine TEST_REDIS_URL=redis://127.0.0.1:6379/8 npm test`,
    );
  }
  return client;
}
