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

/** Paths never rate limited: probes of load balancers and orchestrators. */
const UNLIMITED_PATHS = new Set(['/health', '/metrics']);
const AUTH_PREFIX = '/api/v1/auth/';
const DOCS_PREFIX = '/api/docs';

/**
 * Headers on every response, errors, 404s, 429s and CORS preflights included.
 * The API only serves JSON: nothing may sniff, frame or embed it, and no response may be cached.
 */
export function securityHeaders(production: boolean, path: string, webCsp: string = webContentSecurityPolicy({})): Record<string, string> {
  const web = isWebPagePath(path);
  const headers: Record<string, string> = {
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    // JSON needs nothing; the docs UI (development only) and the web apps need their own scripts and styles
    'Content-Security-Policy': web ? webCsp : path.startsWith(DOCS_PREFIX) ? "frame-ancestors 'none'" : "default-src 'none'; frame-ancestors 'none'",
    // API answers are personal: never stored; the web apps' files are revalidated on every load
    'Cache-Control': web ? 'no-cache' : 'no-store',
  };
  if (production) headers['Strict-Transport-Security'] = 'max-age=31536000; includeSubDomains';
  return headers;
}

/** The console, the H5 sites and the landing page the api serves (apps/api/src/web). */
export function isWebPagePath(path: string): boolean {
  return path === '/' || path === '/console' || path.startsWith('/console/') || path.startsWith('/h5/');
}

function originOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    // tile templates hold {z}/{x}/{y} (and maybe {s}): only the origin matters here
    return new URL(url.replace(/\{[a-z]\}/gi, '0')).origin;
  } catch {
    return null;
  }
}

/**
 * The pages' own policy: scripts, fonts and connections only to this origin, plus the rating service
 * (residents rate from the H5 site) and the optional map tile server for images. Inline styles are
 * allowed (Element Plus and uni-app set style attributes); inline scripts are not.
 */
export function webContentSecurityPolicy(config: { RATING_PUBLIC_URL?: string; MAP_TILE_URL?: string }): string {
  const rating = originOf(config.RATING_PUBLIC_URL);
  const tiles = originOf(config.MAP_TILE_URL);
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${tiles ? ` ${tiles}` : ''}`,
    "font-src 'self' data:",
    `connect-src 'self'${rating ? ` ${rating}` : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
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
  const webCsp = webContentSecurityPolicy(config);

  // onSend: it runs for every reply, including those answered inside other hooks (CORS preflight, 429)
  fastify.addHook('onSend', (request, reply, payload, done) => {
    reply.headers(securityHeaders(production, pathOf(request.url), webCsp));
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
    keyPrefix: `${config.QUEUE_PREFIX}:rl:`,
    timeoutMs: config.RATE_LIMIT_REDIS_TIMEOUT_MS,
  });
  const windowMs = config.RATE_LIMIT_WINDOW_SECONDS * 1000;
  const userOf = bearerSubject(app);

  // registered as a plugin so that it runs after @fastify/cors (also a plugin): a 429 carries the
  // CORS headers a browser needs to read it
  const plugin = async (instance: typeof fastify) => {
    instance.addHook('onRequest', async (request, reply) => {
      const path = pathOf(request.url);
      if (UNLIMITED_PATHS.has(path)) return;
      const ip = clientBucketOf(request.ip);
      const buckets: RateBucket[] = [{ name: 'ip', key: `ip:${ip}`, limit: config.RATE_LIMIT_PER_IP, windowMs }];
      if (path.startsWith(AUTH_PREFIX)) buckets.push({ name: 'auth', key: `auth:${ip}`, limit: config.RATE_LIMIT_AUTH_PER_IP, windowMs });
      const user = userOf(request.headers.authorization);
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
 * The signed-in user of a request, for the per-user bucket: the `sub` of a bearer token whose
 * signature verifies (an unverified token could name someone else and spend their budget).
 * Requests without a valid token are limited per address only; the auth guard refuses them later.
 */
function bearerSubject(app: NestFastifyApplication): (authorization: string | string[] | undefined) => string | undefined {
  let jwt: JwtService | undefined;
  try {
    jwt = app.get(JwtService, { strict: false });
  } catch {
    new Logger('RateLimit').warn('no JwtService in this app: requests are rate limited per address only');
  }
  return (authorization) => {
    if (!jwt || typeof authorization !== 'string') return undefined;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) return undefined;
    try {
      const sub = jwt.verify<{ sub?: unknown }>(match[1]).sub;
      return typeof sub === 'string' && sub.length <= 64 ? sub : undefined;
    } catch {
      return undefined;
    }
  };
}
