import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * Open311 clients POST `application/x-www-form-urlencoded` (the specification's format). Only
 * /open311/ reads it; everywhere else such a body stays a 415, as before.
 */
export function acceptOpen311Forms(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (req, body, done) => {
    if (!req.url.startsWith('/open311/')) {
      const error = Object.assign(new Error('Unsupported Media Type'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });
      return done(error, undefined);
    }
    const form: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(body as string)) form[k] = v.replace(/\u0000/g, '');
    done(null, form);
  });
}
