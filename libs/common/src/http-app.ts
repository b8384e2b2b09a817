import { INestApplication, Logger, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { listSetting, loadConfig } from '@xinyuan/config';
import { trustProxySetting } from './client-ip';
import { DomainException } from './domain.exception';
import { frameworkErrorHandler, installHttpSecurity, LargeBodies } from './http-security';
import { HttpExceptionFilter } from './http-exception.filter';
import { createOpenApiDocument } from './openapi-document';
import { createValidationPipe, RefuseNulPipe } from './validation';

export interface HttpAppOptions {
  title: string;
  description: string;
  /** Publish the OpenAPI document at /api/docs (UI) and /api/docs-json. */
  docs: boolean;
  /** Overrides BODY_LIMIT_BYTES. */
  bodyLimitBytes?: number;
  /** Routes whose path starts with `prefix` take JSON bodies up to `bytes` (a region's boundary). */
  routeBodyLimits?: { prefix: string; bytes: number }[];
  /**
   * Routes taking bodies over the body limit (a boundary, a spreadsheet) and who may send them there:
   * anyone else is answered 401/403 from the headers, before such a body is read.
   */
  largeBodies?: LargeBodies;
  /** Per-IP, per-user and auth rate limits (the public apps: api and rating). */
  rateLimit?: boolean;
  /** The app's logger (JSON logs); Nest's console logger otherwise. */
  logger?: LoggerService;
  /** Hooks that must see every request first (request ids, metrics): installed before the security hooks. */
  instrument?: (app: NestFastifyApplication) => void;
  /** Installs the app's own SIGTERM/SIGINT handling (drain, bounded close) instead of Nest's shutdown hooks. */
  handleSignals?: (app: NestFastifyApplication) => void;
}

/**
 * Every HTTP app is built the same way: Fastify, strict validation, one error filter, security
 * headers, CORS from configuration, rate limits (api, rating), OpenAPI outside production.
 */
export async function createHttpApp(module: unknown, options: HttpAppOptions): Promise<NestFastifyApplication> {
  const config = loadConfig();
  const production = config.NODE_ENV === 'production';
  const bodyLimit = options.bodyLimitBytes ?? config.BODY_LIMIT_BYTES;
  const adapter = new FastifyAdapter({
    bodyLimit,
    trustProxy: trustProxySetting(listSetting(config.TRUSTED_PROXIES)),
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    http: {
      // Node enforces requestTimeout on a body only when headersTimeout is not longer than it
      headersTimeout: Math.min(60000, config.HTTP_REQUEST_TIMEOUT_MS),
      // and checks for timed-out requests only this often (30 s by default)
      connectionsCheckingInterval: Math.max(100, Math.min(30000, Math.round(config.HTTP_REQUEST_TIMEOUT_MS / 4))),
    },
    frameworkErrors: frameworkErrorHandler(production),
  } as ConstructorParameters<typeof FastifyAdapter>[0]);
  if (options.routeBodyLimits?.length) {
    const limits = options.routeBodyLimits;
    // a route's own bodyLimit takes precedence over the parsers' (Fastify), for exactly these routes
    adapter.getInstance().addHook('onRoute', (route) => {
      const larger = limits.find((l) => route.url.startsWith(l.prefix));
      if (larger) route.bodyLimit = larger.bytes;
    });
  }
  const app = await NestFactory.create<NestFastifyApplication>(module as never, adapter, {
    logger: options.logger ?? (process.env.NODE_ENV === 'test' ? ['error', 'warn'] : ['error', 'warn', 'log']),
    abortOnError: false,
    bodyParser: false,
  });
  options.instrument?.(app);
  installHttpSecurity(app, config, { rateLimit: options.rateLimit ?? false, bodyLimit, largeBodies: options.largeBodies });
  acceptEmptyJsonBodies(app, bodyLimit);
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useGlobalPipes(new RefuseNulPipe(), createValidationPipe());
  if (options.handleSignals) options.handleSignals(app);
  else app.enableShutdownHooks();
  // the OpenAPI document maps every endpoint and field: not published in production
  if (options.docs && !production) {
    const document = createOpenApiDocument(app as INestApplication, options.title, options.description);
    SwaggerModule.setup('api/docs', app as INestApplication, document, { jsonDocumentUrl: 'api/docs-json' });
  }
  return app;
}

export async function listen(app: NestFastifyApplication, port: number, name: string): Promise<void> {
  await app.listen({ port, host: process.env.HOST ?? '0.0.0.0' });
  new Logger(name).log(`listening on :${port}`);
}

/**
 * Only JSON bodies are read. Commands like "accept" carry no body, and many clients still send
 * `Content-Type: application/json` with them: an empty body is read as no body instead of a parse
 * error. Anything else is 415.
 */
function acceptEmptyJsonBodies(app: NestFastifyApplication, limit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  // text/plain is a CORS "simple" type a foreign page can send without a preflight: the API takes JSON only
  fastify.removeContentTypeParser('text/plain');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: limit }, (req, body, done) => {
    // signed callbacks (SMS provider reports and replies) verify the signature over the exact bytes
    (req as unknown as { rawBody?: string }).rawBody = body as string;
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      const error = Object.assign(new SyntaxError('invalid JSON body'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
      return done(error, undefined);
    }
    const problem = jsonShapeProblem(value, MAX_JSON_DEPTH);
    if (problem === 'too-deep') {
      const fields = [{ field: 'body', messages: [`JSON must not be nested deeper than ${MAX_JSON_DEPTH} levels`] }];
      return done(DomainException.validation(fields, '请求内容嵌套过深'), undefined);
    }
    if (problem) {
      // PostgreSQL text cannot hold U+0000: let through, it would fail the INSERT with a 500
      const fields = [{ field: problem.field, messages: ['must not contain NUL (U+0000) characters'] }];
      return done(DomainException.validation(fields, '请求内容含有非法字符'), undefined);
    }
    done(null, value);
  });
}

/**
 * Far deeper than any request of the API (a GeoJSON MultiPolygon body is 6 levels). Deeper bodies
 * would overflow the stack in class-transformer and surface as a 500.
 */
const MAX_JSON_DEPTH = 32;

/**
 * Nesting beyond `max` levels, or the first string or key holding a NUL character (with its field
 * path). Iterative, so the check itself cannot overflow the stack.
 */
function jsonShapeProblem(value: unknown, max: number): 'too-deep' | { field: string } | undefined {
  const pending: [unknown, number, string][] = [[value, 1, 'body']];
  let nul: { field: string } | undefined;
  while (pending.length) {
    const [v, depth, path] = pending.pop()!;
    if (typeof v === 'string') {
      if (!nul && v.includes('\u0000')) nul = { field: path };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return 'too-deep';
    for (const [key, child] of Object.entries(v as object)) {
      const childPath = path === 'body' ? key : `${path}.${key}`;
      if (!nul && key.includes('\u0000')) nul = { field: childPath.replace(/\u0000/g, '\\u0000') };
      pending.push([child, depth + 1, childPath]);
    }
  }
  return nul;
}
