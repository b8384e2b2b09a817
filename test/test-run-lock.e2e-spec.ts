import { acquireTestRunLock } from './support/run-lock';

describe('one test run at a time per test database and Redis db', () => {
  it('refuses a second run on the names this run holds, and says what to set', async () => {
    // this very run holds both locks (global-setup.ts): a second run with the same environment is refused
    const second = acquireTestRunLock();
    await expect(second).rejects.toThrow(/another test run on this machine is using the test database "[^"]+" \(TEST_DATABASE_URL\) and Redis db [^ ]+ \(TEST_REDIS_URL\)/);
    await expect(second).rejects.toThrow(/TEST_DATABASE_URL=postgres:\/\/.+ TEST_REDIS_URL=redis:\/\//);
  });
});
