import { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '@xinyuan/config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** One definition used by the apps, the migrate/seed CLIs and the tests. Never `synchronize`. */
export function dataSourceOptions(config: Pick<AppConfig, 'DATABASE_URL' | 'DB_POOL_SIZE'>): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.DATABASE_URL,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error'],
    extra: { max: config.DB_POOL_SIZE, application_name: 'xinyuan' },
  };
}
