import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * An app's OpenAPI document built from its Nest module in preview mode: every controller and DTO
 * is scanned, no provider is instantiated, so no database or Redis is needed. The build writes the
 * api's and the rating service's documents (scripts/build-web.sh) and the front ends' typed client
 * is generated from them; the running apps serve the same documents at /api/docs-json.
 */
export async function buildOpenApiDocument(module: unknown, title: string, description: string): Promise<OpenAPIObject> {
  const app = await NestFactory.create(module as never, new FastifyAdapter(), { preview: true, logger: false, abortOnError: false });
  try {
    return SwaggerModule.createDocument(
      app as INestApplication,
      new DocumentBuilder().setTitle(title).setDescription(description).setVersion('1').addBearerAuth().build(),
    );
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
