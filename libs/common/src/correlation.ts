import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * The correlation id of the work being done: an HTTP request's (its `X-Request-Id`, or a new one),
 * carried into the jobs it causes (job payloads keep it) and into their logs.
 */
interface TraceContext {
  correlationId: string;
}

const storage = new AsyncLocalStorage<TraceContext>();

export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}

export function runWithCorrelation<T>(correlationId: string, fn: () => T): T {
  return storage.run({ correlationId }, fn);
}

/** For callback-style hooks (Fastify): everything that runs after `enter` sees this id. */
export function enterCorrelation(correlationId: string): void {
  storage.enterWith({ correlationId });
}

export function newCorrelationId(): string {
  return randomUUID();
}

/** A client's `X-Request-Id` is kept only when it is a short token (no log injection, no PII carrier). */
export function acceptedCorrelationId(header: unknown): string | undefined {
  return typeof header === 'string' && /^[A-Za-z0-9._:-]{8,64}$/.test(header) && !/\d{11}/.test(header) ? header : undefined;
}
