/** Where the tests find Postgres and Redis; `npm test` prepares both. Tests use their own database and Redis db. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/xinyuan_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/7';
export const ROOT = require('node:path').resolve(__dirname, '..', '..');
export const ADMIN = { phone: '13800000000', password: 'Admin#Test2026' };
