import { DEFAULT_TEST_DATABASE_URL } from './databases';

/**
 * Where the tests find Postgres and Redis; `npm test` prepares both. Inside an end-to-end suite
 * TEST_DATABASE_URL is that suite's own database (a clone of the migrated template, made by
 * suite-environment.ts); tests use their own Redis db.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/7';
export const ROOT = require('node:path').resolve(__dirname, '..', '..');
export const ADMIN = { phone: '13800000000', password: 'Admin#Test2026' };
