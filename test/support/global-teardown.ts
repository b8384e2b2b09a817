import type { Client } from 'pg';

/** Ends the run's lock session (global-setup.ts); the lock goes with it. */
export default async function globalTeardown(): Promise<void> {
  const lock = (globalThis as { xinyuanTestRunLock?: Client }).xinyuanTestRunLock;
  await lock?.end().catch(() => undefined);
}
