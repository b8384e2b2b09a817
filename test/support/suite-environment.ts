import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import { TestEnvironment as NodeEnvironment } from 'jest-environment-node';
import { basename } from 'node:path';
import { Client } from 'pg';
import { adminUrl, suiteDatabaseName, templateDatabaseUrl } from './databases';

/**
 * Each end-to-end suite gets a database of its own, cloned from the migrated template that
 * global-setup.ts prepares (CREATE DATABASE … TEMPLATE copies files: tens of milliseconds). A suite
 * can never see another's rows, whatever PII key or data it uses. The suite's URL reaches the test
 * file as `process.env.TEST_DATABASE_URL` (read by ./env.ts); unit specs get no database.
 */
export default class SuiteDatabaseEnvironment extends NodeEnvironment {
  private readonly database: string | null;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.database = context.testPath.endsWith('.e2e-spec.ts') ? suiteDatabaseName(basename(context.testPath, '.e2e-spec.ts')) : null;
  }

  override async setup(): Promise<void> {
    await super.setup();
    if (!this.database) return;
    const template = new URL(templateDatabaseUrl()).pathname.slice(1);
    await withAdmin(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS "${this.database}" WITH (FORCE)`);
      await c.query(`CREATE DATABASE "${this.database}" TEMPLATE "${template}"`);
    });
    const url = new URL(templateDatabaseUrl());
    url.pathname = `/${this.database}`;
    this.global.process.env.TEST_TEMPLATE_DATABASE_URL = templateDatabaseUrl();
    this.global.process.env.TEST_DATABASE_URL = url.toString();
  }

  override async teardown(): Promise<void> {
    if (this.database) await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${this.database}" WITH (FORCE)`));
    await super.teardown();
  }
}

async function withAdmin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: adminUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
