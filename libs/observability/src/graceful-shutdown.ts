import type { INestApplication } from '@nestjs/common';
import type { Logger as Pino } from 'pino';
import { Readiness } from './readiness';

export interface ShutdownOptions {
  /** Keep serving this long after the signal with readiness failing, so load balancers stop sending. */
  drainMs: number;
  /** Hard bound of the whole shutdown; past it the process exits anyway. */
  timeoutMs: number;
  logger: Pino;
}

/**
 * SIGTERM / SIGINT: readiness fails at once; after `drainMs` the app closes — the HTTP server stops
 * accepting and finishes open requests, BullMQ workers stop taking jobs and wait for the running
 * ones, then Postgres and Redis connections close (Nest's shutdown hooks). Exits 0 when done,
 * 1 when `timeoutMs` passes first (a stuck job is then taken over by another worker after its lock
 * expires: nothing is lost either way).
 */
export function installGracefulShutdown(app: INestApplication, options: ShutdownOptions): void {
  let started = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (started) return;
    started = true;
    options.logger.info({ signal, drainMs: options.drainMs }, 'shutting down');
    try {
      app.get(Readiness).startDraining();
    } catch {
      // no probes in this app
    }
    const hardStop = setTimeout(() => {
      options.logger.error({ timeoutMs: options.timeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, options.timeoutMs);
    hardStop.unref();
    setTimeout(() => {
      app
        .close()
        .then(() => {
          options.logger.info('stopped');
          process.exit(0);
        })
        .catch((e: Error) => {
          options.logger.error({ err: e }, 'shutdown failed');
          process.exit(1);
        });
    }, options.drainMs);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
