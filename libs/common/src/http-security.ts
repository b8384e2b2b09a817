import { Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig, listSetting } from '@xinyuan/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientBucketOf } from './client-ip';
import { DomainException } from './domain.exception';
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
/**
 * Routes that take bodies larger than the app's body limit (a region's boundary, a spreadsheet), and
 * the roles whose signed-in users may send them there.
 */
export interface LargeBodyRoute {
  prefix: string;
  roles: readonly string[];
}

/** Whether the session a verified token names (`sid`) is still live (not signed out or ended by an admin). */
export type SessionCheck = (sessionId: string) => Promise<boolean>;

/** Where bodies over the app's limit are taken, and how a token's session is checked (looked up on first use). */
export interface LargeBodies {
  routes: readonly LargeBodyRoute[];
  liveSession: (app: NestFastifyApplication) => SessionCheck;
}

/** A session id as the guard accepts it (a UUID): anything else is refused before it reaches Postgres. */
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function installHttpSecurity(
  app: NestFastifyApplication, config: AppConfig,
  options: { rateLimit: boolean; bodyLimit: number; largeBodies?: LargeBodies },
): void {
  const fastify = app.getHttpAdapter().getInstance();
  const production = config.NODE_ENV === 'production';
  const bearer = bearerPayloads(app);

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

  if (options.rateLimit) installRateLimit(app, config, bearer);
  if (options.largeBodies) admitLargeBodies(app, options.bodyLimit, options.largeBodies, bearer);
}

/**
 * A body larger than the app's limit is read only for a signed-in user with a role that may send it
 * to that route. Fastify reads a body before any guard runs: without this, anyone could make the api
 * buffer and parse half a megabyte of JSON (regions) or 16 MB (imports) per request before being
 * told to sign in. Decided in `onRequest`, from the headers alone — a declared Content-Length over
 * the limit, or a chunked body of unknown size — and answered 401 (no valid access token, or its
 * session ended: `liveSession`, the guard's own check) or 403 (none of the roles) without reading
 * the body. The role check here only spares the reading: the route's guards still decide who may do
 * what (jurisdiction, each kind's own roles).
 */
function admitLargeBodies(
  app: NestFastifyApplication, bodyLimit: number, { routes, liveSession }: LargeBodies, bearer: (request: FastifyRequest) => Record<string, unknown> | undefined,
): void {
  const fastify = app.getHttpAdapter().getInstance();
  let isLive: SessionCheck | undefined;
  // a plugin, as the rate limit's: it runs after @fastify/cors, so a browser can read the 401/403
  const plugin = async (instance: typeof fastify) => instance.addHook('onRequest', async (request, reply) => {
    const declared = request.headers['content-length'];
    const mayBeLarge = declared === undefined ? request.headers['transfer-encoding'] !== undefined : Number(declared) > bodyLimit;
    if (!mayBeLarge) return;
    // the matched route, as the route's own body limit is chosen (a percent-encoded path is the same route)
    const path = routeOf(request);
    const route = routes.find((r) => path.startsWith(r.prefix));
    // elsewhere the app's limit applies: Fastify answers 413 from Content-Length, or stops a chunked body at the limit
    if (!route) return;
    const payload = bearer(request);
    const unauthenticated = () => reply.code(401).send(toErrorBody(new DomainException(ErrorCode.Unauthenticated, 401)).body);
    if (!payload || typeof payload.sid !== 'string' || !SESSION_ID.test(payload.sid)) return unauthenticated();
    try {
      isLive ??= liveSession(app);
      if (!(await isLive(payload.sid))) return unauthenticated();
    } catch (e) {
      // the session store is unreachable: the contract's 503 with its Retry-After, as the guard would answer
      const { body, unexpected } = toErrorBody(e);
      if (unexpected) new Logger('HttpSecurity').error(`session check for a large body failed: ${(e as Error)?.message}`);
      if (typeof body.retryAfterSeconds === 'number') reply.header('Retry-After', String(body.retryAfterSeconds));
      return reply.code(body.statusCode).send(body);
    }
    const roles = Array.isArray(payload.roles) ? payload.roles : [];
    if (!roles.some((role) => route.roles.includes(role as string))) {
      return reply.code(403).send(toErrorBody(new DomainException(ErrorCode.Forbidden, 403)).body);
    }
  });
  (plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
  void fastify.register(plugin);
}

function installRateLimit(app: NestFastifyApplication, config: AppConfig, bearer: (request: FastifyRequest) => Record<string, unknown> | undefined): void {
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
  const userOf = (request: FastifyRequest): string | undefined => {
    const sub = bearer(request)?.sub;
    return typeof sub === 'string' && sub.length <= 64 ? sub : undefined;
  };

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
 * The payload of a request's bearer token if its signature verifies (an unverified token could name
 * someone else: spend their rate budget, or pass for staff), kept on the request (`VERIFIED_BEARER`).
 * Requests without a valid token get undefined; the auth guard refuses them later.
 */
function bearerPayloads(app: NestFastifyApplication): (request: FastifyRequest) => Record<string, unknown> | undefined {
  // looked up on first use: only the apps whose hooks read tokens need one
  let jwt: JwtService | undefined | null = null;
  const jwtService = () => {
    if (jwt !== null) return jwt;
    try {
      jwt = app.get(JwtService, { strict: false });
    } catch {
      jwt = undefined;
      new Logger('HttpSecurity').warn('no JwtService in this app: no request is taken as signed in before its guard (rate limits per address only)');
    }
    return jwt;
  };
  // the same token comes back on every request of a session: its signature is checked once (until exp)
  const verified = new VerifiedTokens<Record<string, unknown>>();
  const verify = (token: string) => jwt!.verify<Record<string, unknown>>(token);
  return (request) => {
    const known = (request as unknown as Record<symbol, VerifiedBearer | undefined>)[VERIFIED_BEARER];
    if (known) return known.payload;
    const authorization = request.headers.authorization;
    if (typeof authorization !== 'string' || !jwtService()) return undefined;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) return undefined;
    try {
      const payload = verified.payload(match[1], verify);
      (request as unknown as Record<symbol, VerifiedBearer>)[VERIFIED_BEARER] = { token: match[1], payload };
      return payload;
    } catch {
      return undefined;
    }
  };
}
