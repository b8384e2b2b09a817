import { timingSafeEqual } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger as Pino } from 'pino';
import { acceptedCorrelationId, enterCorrelation, newCorrelationId } from '@xinyuan/common';
import { metrics } from './metrics';

export interface HttpObservabilityOptions {
  logger: Pino;
  /** Bearer token for /metrics; without one, only direct loopback clients are answered. */
  metricsToken?: string;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Per request: a correlation id (the client's `X-Request-Id` when it is a plain token, else a new
 * one) echoed in `X-Request-Id` and present in every log line the request causes; a latency
 * observation per route pattern; one access log line (method, route pattern, status, time — never
 * the query string or body). Serves `/metrics` to Prometheus only: with METRICS_TOKEN to a bearer of
 * it, otherwise to direct loopback connections; anyone else gets the same 404 as an unknown path.
 */
export function installHttpObservability(app: NestFastifyApplication, options: HttpObservabilityOptions): void {
  const fastify = app.getHttpAdapter().getInstance();
  const started = new WeakMap<object, { at: bigint; id: string }>();

  fastify.addHook('onRequest', (request, reply, done) => {
    const id = acceptedCorrelationId(request.headers['x-request-id']) ?? newCorrelationId();
    started.set(request, { at: process.hrtime.bigint(), id });
    reply.header('X-Request-Id', id);
    enterCorrelation(id);
    done();
  });
  // body parsing may continue on another async path: enter again before the handler runs
  fastify.addHook('preHandler', (request, _reply, done) => {
    const s = started.get(request);
    if (s) enterCorrelation(s.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const s = started.get(request);
    if (!s) return done();
    const seconds = Number(process.hrtime.bigint() - s.at) / 1e9;
    const route = (request as { routeOptions?: { url?: string } }).routeOptions?.url ?? 'unmatched';
    if (route !== '/metrics') {
      metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, seconds);
      options.logger.info(
        { correlationId: s.id, method: request.method, route, status: reply.statusCode, ms: Math.round(seconds * 10000) / 10 },
        'request',
      );
    }
    done();
  });

  const token = options.metricsToken ? Buffer.from(`Bearer ${options.metricsToken}`) : undefined;
  fastify.get('/metrics', async (request, reply) => {
    if (!metricsAllowed(request.headers.authorization, request.headers['x-forwarded-for'], request.socket.remoteAddress, token)) {
      return reply.status(404).send({ statusCode: 404, error: 'Not Found', message: '未找到', code: 'NOT_FOUND' });
    }
    reply.header('Content-Type', metrics.registry.contentType);
    return metrics.render();
  });
}

export function metricsAllowed(authorization: string | undefined, forwardedFor: unknown, remote: string | undefined, token: Buffer | undefined): boolean {
  if (token) {
    const given = Buffer.from(authorization ?? '');
    return given.length === token.length && timingSafeEqual(given, token);
  }
  // a proxy on this machine forwards outside clients from loopback: those carry X-Forwarded-For
  return forwardedFor === undefined && remote !== undefined && LOOPBACK.has(remote);
}
