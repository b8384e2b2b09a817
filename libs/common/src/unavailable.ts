/**
 * "The database (or another store) cannot be reached right now" — a restart, a failover, a cut or
 * frozen network — as opposed to a bug. Such failures answer 503 SERVICE_UNAVAILABLE with Retry-After
 * and are logged as one line without a stack: nothing is wrong with the request or the code, and the
 * apps reconnect by themselves (the connection pool opens new connections once the server answers).
 */

/** SQLSTATEs: connection exceptions (class 08), server shutting down or starting up, too many connections, a demoted primary. */
const UNAVAILABLE_SQLSTATES = /^(08...|57P0[123]|53300|25006)$/;
/** Socket errors of a server that refuses, resets, times out or cannot be routed to. */
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** node-postgres and pg-pool say so in words only. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error and is not queryable/,
  /^Client was closed and is not queryable/,
  /^Query read timeout/,
  /^terminating connection/,
  // PgBouncer between the app and Postgres (failover, restart)
  /server conn crashed/,
  /server closed the connection unexpectedly/,
  /^Connection is not established/,
];

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The error and what it wraps: TypeORM's `driverError`, `cause`, an AggregateError's `errors`. */
function* chain(error: unknown, depth = 0): Generator<ErrorLike> {
  if (!error || typeof error !== 'object' || depth > 4) return;
  const e = error as ErrorLike;
  yield e;
  yield* chain(e.driverError, depth + 1);
  yield* chain(e.cause, depth + 1);
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chain(inner, depth + 1);
}

/**
 * Why the error means "unavailable" (a short, SQL-free reason for the log), or null when it does not.
 */
export function unavailabilityReason(error: unknown): string | null {
  for (const e of chain(error)) {
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : '';
    if (UNAVAILABLE_SQLSTATES.test(code) || UNAVAILABLE_NODE_CODES.has(code) || UNAVAILABLE_MESSAGES.some((re) => re.test(message))) {
      return [code, message.split('\n')[0].slice(0, 200)].filter(Boolean).join(' ');
    }
  }
  return null;
}

/** Seconds a client is asked to wait (Retry-After) before trying again. */
export const SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** SQLSTATEs of a statement that may well succeed when run again: serialization failure, deadlock, lock or statement timeout, out of resources. */
const RETRYABLE_SQLSTATES = /^(40001|40P01|55P03|57014|53...)$/;

/**
 * The failure is the moment's, not the data's: unavailable (above), or a deadlock, serialization
 * failure, lock timeout, cancelled statement or resource shortage. Work that fails so is retried,
 * never skipped.
 */
export function isRetryableFailure(error: unknown): boolean {
  if (unavailabilityReason(error)) return true;
  for (const e of chain(error)) if (typeof e.code === 'string' && RETRYABLE_SQLSTATES.test(e.code)) return true;
  return false;
}
