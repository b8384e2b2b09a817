import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
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
    try {
      done(null, JSON.parse(text));
    } catch {
      const error = Object.assign(new SyntaxError('invalid JSON body'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
      done(error, undefined);
    }
  });
}
