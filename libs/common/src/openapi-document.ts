import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, getSchemaPath, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ApiErrorView } from './api-views';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * The OpenAPI document of a running (or preview) app: every operation also answers the shared
 * `ApiError` body as its `default` response (what HttpExceptionFilter sends for any 4xx/5xx).
 */
export function createOpenApiDocument(app: INestApplication, title: string, description: string): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(title).setDescription(description).setVersion('1').addBearerAuth().build(),
    { extraModels: [ApiErrorView] },
  );
  // codes may add details of their own (ErrorBody's index signature)
  const error = document.components?.schemas?.ApiError as { additionalProperties?: boolean } | undefined;
  if (error) error.additionalProperties = true;
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op) {
        op.responses ??= {};
        op.responses.default ??= {
          description: 'Error: `{ statusCode, error, message, code, fields? }`',
          content: { 'application/json': { schema: { $ref: getSchemaPath(ApiErrorView) } } },
        };
      }
    }
  }
  return document;
}

/**
 * An app's OpenAPI document built from its Nest module in preview mode: every controller and DTO
 * is scanned, no provider is instantiated, so no database or Redis is needed. The build writes the
 * api's and the rating service's documents (scripts/build-web.sh) and the front ends' typed client
 * is generated from them; the running apps serve the same documents at /api/docs-json.
 */
export async function buildOpenApiDocument(module: unknown, title: string, description: string): Promise<OpenAPIObject> {
  const app = await NestFactory.create(module as never, new FastifyAdapter(), { preview: true, logger: false, abortOnError: false });
  try {
    return createOpenApiDocument(app as INestApplication, title, description);
  } finally {
    await app.close();
  }
}

/** CLI body: writes the document to argv[2] (or `fallback`) and exits. */
export function writeOpenApiDocumentCli(build: () => Promise<OpenAPIObject>, fallback: string): void {
  const out = resolve(process.argv[2] ?? fallback);
  build()
    .then((doc) => {
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
      console.log(`[openapi] ${Object.keys(doc.paths).length} paths → ${out}`);
      process.exit(0);
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
