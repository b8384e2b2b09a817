import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { listSetting, loadConfig } from '@xinyuan/config';
import { trustProxySetting } from './client-ip';
import { DomainException } from './domain.exception';
import { frameworkErrorHandler, installHttpSecurity } from './http-security';
import { HttpExceptionFilter } from './http-exception.filter';
import { createValidationPipe } from './validation';

export interface HttpAppOptions {
  title: string;
  description: string;
  /** Publish the OpenAPI document at /api/docs (UI) and /api/docs-json. */
  docs: boolean;
  /** Overrides BODY_LIMIT_BYTES. */
  bodyLimitBytes?: number;
  /** Per-IP, per-user and auth rate limits (the public apps: api and rating). */
  rateLimit?: boolean;
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
  const app = await NestFactory.create<NestFastifyApplication>(module as never, adapter, {
    logger: process.env.NODE_ENV === 'test' ? ['error', 'warn'] : ['error', 'warn', 'log'],
    abortOnError: false,
    bodyParser: false,
  });
  installHttpSecurity(app, config, { rateLimit: options.rateLimit ?? false });
  acceptEmptyJsonBodies(app, bodyLimit);
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  // the OpenAPI document maps every endpoint and field: not published in production
  if (options.docs && !production) {
    const document = SwaggerModule.createDocument(
      app as INestApplication,
      new DocumentBuilder().setTitle(options.title).setDescription(options.description).setVersion('1').addBearerAuth().build(),
    );
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
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: limit }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      const error = Object.assign(new SyntaxError('invalid JSON body'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
      return done(error, undefined);
    }
    if (nestedDeeperThan(value, MAX_JSON_DEPTH)) {
      const fields = [{ field: 'body', messages: [`JSON must not be nested deeper than ${MAX_JSON_DEPTH} levels`] }];
      return done(DomainException.validation(fields, '请求内容嵌套过深'), undefined);
    }
    done(null, value);
  });
}

/**
 * Far deeper than any request of the API (a GeoJSON MultiPolygon body is 6 levels). Deeper bodies
 * would overflow the stack in class-transformer and surface as a 500.
 */
const MAX_JSON_DEPTH = 32;

/** Iterative, so the check itself cannot overflow the stack. */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length) {
    const [v, depth] = pending.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(v as object)) pending.push([child, depth + 1]);
  }
  return false;
}
