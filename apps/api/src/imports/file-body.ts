import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { XLSX_TYPE } from './imports.controller';

/** Largest spreadsheet accepted by /api/v1/imports (a 20,000-row file is a few MB). */
export const IMPORT_BODY_LIMIT = 16 * 1024 * 1024;

/** Spreadsheets are read as bytes, and only by /api/v1/imports/; elsewhere such bodies stay a 415. */
export function acceptImportFiles(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  for (const type of ['text/csv', XLSX_TYPE]) {
    fastify.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (req, body, done) => {
      if (!req.url.startsWith('/api/v1/imports/')) {
        return done(Object.assign(new Error('Unsupported Media Type'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }), undefined);
      }
      done(null, body);
    });
  }
}
