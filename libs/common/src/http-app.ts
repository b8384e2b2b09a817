import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { DomainException } from './domain.exception';
import { HttpExceptionFilter } from './http-exception.filter';
import { createValidationPipe } from './validation';

export interface HttpAppOptions {
  title: string;
  description: string;
  /** Publish the OpenAPI document at /api/docs (UI) and /api/docs-json. */
  docs: boolean;
  bodyLimitBytes?: number;
}

/** Every HTTP app is built the same way: Fastify, strict validation, one error filter, OpenAPI. */
export async function createHttpApp(module: unknown, options: HttpAppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: options.bodyLimitBytes ?? 64 * 1024, trustProxy: true });
  const app = await NestFactory.create<NestFastifyApplication>(module as never, adapter, {
    logger: process.env.NODE_ENV === 'test' ? ['error', 'warn'] : ['error', 'warn', 'log'],
    abortOnError: false,
    bodyParser: false,
  });
  acceptEmptyJsonBodies(app, options.bodyLimitBytes ?? 64 * 1024);
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  if (options.docs) {
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
 * Commands like "accept" carry no body, and many clients still send `Content-Type: application/json`
 * with them: an empty body is read as no body instead of a parse error. Anything else must be JSON.
 */
function acceptEmptyJsonBodies(app: NestFastifyApplication, limit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
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
