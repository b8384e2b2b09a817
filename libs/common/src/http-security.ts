import { Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig, listSetting } from '@xinyuan/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientBucketOf } from './client-ip';
import { ErrorCode } from './error-code';
import { toErrorBody } from './http-exception.filter';
import { RateBucket, retryAfterSeconds } from './rate-limit';
import { RateLimiter } from './rate-limiter';
import { VerifiedTokens } from './verified-tokens';

/** Paths never rate limited: probes of load balancers and orchestrators. */
const UNLIMITED_PATHS = new Set(['/health', '/metrics']);
const AUTH_PREFIX = '/api/v1/auth/';
const DOCS_PREFIX = '/api/docs';

/**
 * Headers on every response, errors, 404s, 429s and CORS preflights included.
 * The API only serves JSON: nothing may sniff, frame or embed it, and no response may be cached.
 */
export function securityHeaders(production: boolean, path: string): Record<string, string> {
  const headers: Record<string, string> = {
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    // the docs UI (development only) needs its own scripts and styles; JSON needs nothing
    'Content-Security-Policy': path.startsWith(DOCS_PREFIX) ? "frame-ancestors 'none'" : "default-src 'none'; frame-ancestors 'none'",
    'Cache-Control': 'no-store',
  };
  if (production) headers['Strict-Transport-Security'] = 'max-age=31536000; includeSubDomains';
  return headers;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * The route a request was matched to (`/api/v1/auth/refresh` for `/api/v1/%61uth/refresh` too),
 * which is what rate-limit buckets are chosen by: the raw URL can be spelled many ways that reach
 * the same handler. A request no route matched is bucketed by its decoded path.
 */
export function routeOf(request: Pick<FastifyRequest, 'url'> & { routeOptions?: { url?: string } }): string {
  const matched = request.routeOptions?.url;
  if (matched) return matched;
  const raw = pathOf(request.url);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * Errors Fastify answers itself before any route or hook runs (a URL that is not valid
 * percent-encoding, a path parameter over the length limit): the API's error body and headers
 * instead of Fastify's, which would echo the URL back.
 */
export function frameworkErrorHandler(production: boolean) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { body } = toErrorBody(error);
    reply.headers(securityHeaders(production, '')).code(body.statusCode).send(body);
  };
}

/**
 * Hardening every HTTP app gets: security headers, CORS from configuration, and (api, rating) the
 * rate limits. Called before the app initialises, so the hooks run for every route, the 404
 * handler included.
 */
export function installHttpSecurity(app: NestFastifyApplication, config: AppConfig, options: { rateLimit: boolean }): void {
  const fastify = app.getHttpAdapter().getInstance();
  const production = config.NODE_ENV === 'production';

  // onSend: it runs for every reply, including those answered inside other hooks (CORS preflight, 429)
  fastify.addHook('onSend', (request, reply, payload, done) => {
    // a route that chose its own policy or caching (the static web apps) keeps it
    for (const [name, value] of Object.entries(securityHeaders(production, pathOf(request.url)))) {
      if (!reply.hasHeader(name)) reply.header(name, value);
    }
    done(null, payload);
  });

  const origins = listSetting(config.CORS_ORIGINS);
  if (origins.length) {
    app.enableCors({
      origin: origins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
      exposedHeaders: ['Retry-After'],
      maxAge: 600,
    });
  }

  if (options.rateLimit) installRateLimit(app, config);
}

function installRateLimit(app: NestFastifyApplication, config: AppConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  const limiter = new RateLimiter({
    redisUrl: config.RATE_LIMIT_REDIS_URL ?? config.REDIS_URL,
    // a separate rate-limit Redis is given by URL; the shared one may sit behind sentinels
    redisSentinels: config.RATE_LIMIT_REDIS_URL ? undefined : config.REDIS_SENTINELS,
    redisSentinelName: config.REDIS_SENTINEL_NAME,
    keyPrefix: `${config.QUEUE_PREFIX}:rl:`,
    timeoutMs: config.RATE_LIMIT_REDIS_TIMEOUT_MS,
  });
  const windowMs = config.RATE_LIMIT_WINDOW_SECONDS * 1000;
  const userOf = bearerSubject(app);

  // registered as a plugin so that it runs after @fastify/cors (also a plugin): a 429 carries the
  // CORS headers a browser needs to read it
  const plugin = async (instance: typeof fastify) => {
    instance.addHook('onRequest', async (request, reply) => {
      const path = routeOf(request);
      if (UNLIMITED_PATHS.has(path)) return;
      const ip = clientBucketOf(request.ip);
      const buckets: RateBucket[] = [{ name: 'ip', key: `ip:${ip}`, limit: config.RATE_LIMIT_PER_IP, windowMs }];
      if (path.startsWith(AUTH_PREFIX)) buckets.push({ name: 'auth', key: `auth:${ip}`, limit: config.RATE_LIMIT_AUTH_PER_IP, windowMs });
      const user = userOf(request);
      if (user) buckets.push({ name: 'user', key: `user:${user}`, limit: config.RATE_LIMIT_PER_USER, windowMs });
      const verdict = await limiter.check(buckets);
      if (verdict.allowed) return;
      const seconds = retryAfterSeconds(verdict.retryAfterMs);
      const { body } = toErrorBody({ statusCode: 429 });
      body.code = ErrorCode.RateLimited;
      body.retryAfterSeconds = seconds;
      body.limit = verdict.bucket;
      return reply.code(429).header('Retry-After', String(seconds)).send(body);
    });
    instance.addHook('onClose', async () => limiter.close());
  };
  (plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
  void fastify.register(plugin);
}

/**
 * A bearer token this request's rate-limit hook already verified, kept on the request so that the
 * auth guard does not verify the same signature again (same JwtService, same options).
 */
export const VERIFIED_BEARER = Symbol.for('xinyuan.verifiedBearer');
export interface VerifiedBearer {
  token: string;
  payload: Record<string, unknown>;
}

/**
 * The signed-in user of a request, for the per-user bucket: the `sub` of a bearer token whose
 * signature verifies (an unverified token could name someone else and spend their budget).
 * Requests without a valid token are limited per address only; the auth guard refuses them later.
 */
function bearerSubject(app: NestFastifyApplication): (request: FastifyRequest) => string | undefined {
  let jwt: JwtService | undefined;
  try {
    jwt = app.get(JwtService, { strict: false });
  } catch {
    new Logger('RateLimit').warn('no JwtService in this app: requests are rate limited per address only');
  }
  // the same token comes back on every request of a session: its signature is checked once (until exp)
  const verified = new VerifiedTokens<Record<string, unknown>>();
  const verify = (token: string) => jwt!.verify<Record<string, unknown>>(token);
  return (request) => {
    const authorization = request.headers.authorization;
    if (!jwt || typeof authorization !== 'string') return undefined;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) return undefined;
    try {
      const payload = verified.payload(match[1], verify);
      (request as unknown as Record<symbol, VerifiedBearer>)[VERIFIED_BEARER] = { token: match[1], payload };
      const sub = payload.sub;
      return typeof sub === 'string' && sub.length <= 64 ? sub : undefined;
    } catch {
      return undefined;
    }
  };
}
