import { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '@xinyuan/config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { applySessionSettings } from './session-settings';

/** One definition used by the apps, the migrate/seed CLIs and the tests. Never `synchronize`. */
export function dataSourceOptions(
  config: Pick<AppConfig, 'DATABASE_URL' | 'DB_POOL_SIZE'> & Partial<Pick<AppConfig, 'DB_SYNCHRONOUS_COMMIT' | 'OPEN_ORDER_LIMIT'>>,
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
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // failures surface as exceptions, logged once (JSON, scrubbed) by whoever handles them; TypeORM's own
    // logger would print plain text with the statement's parameters
    logging: false,
    extra: {
      max: config.DB_POOL_SIZE,
      application_name: 'xinyuan',
      // applied with SET on every new connection (works through PgBouncer too)
      onConnect: applySessionSettings(settings),
    },
  };
}
