import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { routeOf, toErrorBody } from '@xinyuan/common';
import { XLSX_TYPE } from './imports.controller';

/** Largest spreadsheet accepted by /api/v1/imports (a 20,000-row file is a few MB). */
export const IMPORT_BODY_LIMIT = 16 * 1024 * 1024;

/** Spreadsheets are read as bytes, and only by /api/v1/imports/; elsewhere such bodies stay a 415. */
export function acceptImportFiles(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const types = ['text/csv', XLSX_TYPE];
  // refused from the headers, before up to IMPORT_BODY_LIMIT bytes are read for nothing
  fastify.addHook('onRequest', async (request, reply) => {
    const type = request.headers['content-type']?.split(';')[0].trim().toLowerCase();
    if (type && types.includes(type) && !routeOf(request).startsWith('/api/v1/imports/')) {
      return reply.code(415).send(toErrorBody({ statusCode: 415 }).body);
    }
  });
  for (const type of types) {
    // the hook above has refused such a body anywhere but /api/v1/imports/
    fastify.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (req, body, done) => done(null, body));
  }
}
