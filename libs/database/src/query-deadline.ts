import { Client } from 'pg';

type ClientClass = typeof Client;

/** What a deadline error looks like to the error filter: a timed-out connection (503, retry later). */
export class QueryDeadlineError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`Connection terminated: no answer from the database within ${ms} ms`);
  }
}

/**
 * A node-postgres client whose every query has a deadline. Past it the connection itself is closed,
 * not only the query abandoned: node-postgres's own `query_timeout` leaves the connection waiting for
 * the old answer (and, inside a transaction, never sends the ROLLBACK), so a frozen network would keep
 * the pool's connections stuck and could hand the next request a half-open transaction. A closed
 * socket makes the pool drop the client and Postgres roll back whatever it had begun.
 *
 * `deadlineMs` 0 turns it off. Cursors and streams (submittables) manage their own lifetime.
 */
export function clientWithQueryDeadline(deadlineMs: number, Base: ClientClass = Client): ClientClass {
  if (!deadlineMs) return Base;
  class DeadlineClient extends Base {
    override query(...args: unknown[]): any {
      const last = args[args.length - 1];
      if (typeof last === 'function') {
        const timer = this.armDeadline();
        args[args.length - 1] = (...results: unknown[]) => {
          clearTimeout(timer);
          return (last as (...r: unknown[]) => unknown)(...results);
        };
        return (super.query as (...a: unknown[]) => unknown)(...args);
      }
      const result = (super.query as (...a: unknown[]) => unknown)(...args);
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        const timer = this.armDeadline();
        (result as Promise<unknown>).then(() => clearTimeout(timer), () => clearTimeout(timer));
      }
      return result;
    }

    private armDeadline(): NodeJS.Timeout {
      const timer = setTimeout(() => {
        const stream = (this as unknown as { connection?: { stream?: { destroy(error?: Error): void } } }).connection?.stream;
        stream?.destroy(new QueryDeadlineError(deadlineMs));
      }, deadlineMs);
      timer.unref();
      return timer;
    }
  }
  return DeadlineClient as unknown as ClientClass;
}
