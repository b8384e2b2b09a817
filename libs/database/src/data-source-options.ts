import { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '@xinyuan/config';
import { MIGRATIONS } from './migrations';
import { clientWithQueryDeadline } from './query-deadline';
import { QuietSqlLogger } from './quiet-sql-logger';
import { applySessionSettings } from './session-settings';

/** One definition used by the apps, the migrate/seed CLIs and the tests. Never `synchronize`. */
export function dataSourceOptions(
  config: Pick<AppConfig, 'DATABASE_URL' | 'DB_POOL_SIZE'> &
    Partial<Pick<AppConfig, 'DB_SYNCHRONOUS_COMMIT' | 'OPEN_ORDER_LIMIT' | 'DB_CONNECT_TIMEOUT_MS' | 'DB_QUERY_TIMEOUT_MS'>>,
): DataSourceOptions {
  const settings: Record<string, string> = {
    synchronous_commit: config.DB_SYNCHRONOUS_COMMIT ?? 'on',
    // jit off: short OLTP statements; a misestimated cost once bought the candidate query ~50 ms of compilation
    jit: 'off',
  };
  // the open-order cap is checked by a trigger on orders, which reads it from this session setting
  if (config.OPEN_ORDER_LIMIT !== undefined) settings['xinyuan.open_order_limit'] = String(Math.trunc(config.OPEN_ORDER_LIMIT));
  return {
    type: 'postgres',
    url: config.DATABASE_URL,
    // no entity classes: the schema is the migrations', rows are typed by each context's *.tables.ts
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // failed queries are reported by whoever ran them, without their parameters (quiet-sql-logger.ts)
    logger: new QuietSqlLogger(),
    extra: {
      max: config.DB_POOL_SIZE,
      // an unreachable or frozen database answers within these (503 SERVICE_UNAVAILABLE), instead of hanging
      // requests; the migrate and seed CLIs replace `extra`, so a long migration has no deadline
      connectionTimeoutMillis: config.DB_CONNECT_TIMEOUT_MS ?? 0,
      Client: clientWithQueryDeadline(config.DB_QUERY_TIMEOUT_MS ?? 0),
      application_name: 'xinyuan',
      // applied with SET on every new connection (works through PgBouncer too)
      onConnect: applySessionSettings(settings),
    },
  };
}
