import { DataSource } from 'typeorm';
import type { AppConfig } from '@xinyuan/config';
import { ensureDatabase } from './create-database';
import { dataSourceOptions } from './data-source-options';

/** Creates the database if needed and runs every pending migration. Returns the names it ran. */
export async function migrate(config: Pick<AppConfig, 'DATABASE_URL' | 'DB_POOL_SIZE'>): Promise<string[]> {
  await ensureDatabase(config.DATABASE_URL);
  const ds = new DataSource({ ...dataSourceOptions(config), extra: { max: 2 } });
  await ds.initialize();
  try {
    const ran = await ds.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
