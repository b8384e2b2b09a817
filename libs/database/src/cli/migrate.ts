import 'reflect-metadata';
import { loadConfig } from '@xinyuan/config';
import { migrate } from '../migrate';

migrate(loadConfig())
  .then((ran) => {
    console.log(ran.length ? `migrated: ${ran.join(', ')}` : 'migrations: up to date');
  })
  .catch((e) => {
    console.error('migration failed:', e instanceof Error ? e.message : e);
    process.exit(1);
  });
