import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { PiiCipher } from '@xinyuan/common';
import { loadConfig } from '@xinyuan/config';
import { dataSourceOptions } from '../data-source-options';
import { seedCounty } from '../seed/seed-county';

async function main() {
  const config = loadConfig();
  if (config.NODE_ENV === 'production') {
    // the demo county comes with published accounts and passwords (README): never in production
    throw new Error('the demo seed is refused when NODE_ENV=production');
  }
  const ds = new DataSource({ ...dataSourceOptions(config), extra: { max: 2 } });
  await ds.initialize();
  try {
    const report = await seedCounty(ds, PiiCipher.fromConfig(config.PII_ENCRYPTION_KEY));
    console.log(`seeded (new rows): ${JSON.stringify(report)}`);
  } finally {
    await ds.destroy();
  }
}

main().catch((e) => {
  console.error('seed failed:', e instanceof Error ? e.message : e);
  process.exit(1);
});
