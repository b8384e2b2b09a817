import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyStatic from '@fastify/static';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The built front ends and where the api serves them (see scripts/build-web.sh). */
export const WEB_APPS = [
  { prefix: '/console/', dir: 'console', name: 'console 调度中心' },
  { prefix: '/h5/resident/', dir: 'h5/resident', name: 'resident H5 居民端' },
  { prefix: '/h5/volunteer/', dir: 'h5/volunteer', name: 'volunteer H5 志愿者端' },
] as const;

/**
 * Serves the console and the two H5 sites as static files from WEB_DIR, so `npm run up` needs no
 * other server. All three use hash routing: every path under a prefix is a real file. HTML is never
 * cached (a new build shows at once); hashed assets are cached for a year. Text assets are sent as
 * the brotli or gzip copy the build wrote beside them (scripts/compress-web.mjs) when the browser
 * accepts it, with `Content-Encoding` and `Vary: Accept-Encoding`; nothing is compressed per request.
 */
export async function serveWebApps(
  app: NestFastifyApplication,
  config: { WEB_DIR: string; RATING_PUBLIC_URL?: string; MAP_TILE_URL?: string },
): Promise<string[]> {
  const served: string[] = [];
  const webDir = config.WEB_DIR;
  if (!webDir) return served;
  const csp = webContentSecurityPolicy(config);
  const root = resolve(webDir);
  const fastify = app.getHttpAdapter().getInstance();
  let first = true;
  for (const web of WEB_APPS) {
    const dir = resolve(root, web.dir);
    if (!existsSync(resolve(dir, 'index.html'))) continue;
    await app.register(fastifyStatic as never, {
      root: dir,
      prefix: web.prefix,
      decorateReply: first,
      index: ['index.html'],
      preCompressed: true,
      // @fastify/static 10 passes the Fastify reply, and the path of the file it sends (app.js.br for app.js)
      setHeaders: (reply: { header(k: string, v: string): unknown }, path: string) => {
        reply.header('content-security-policy', csp);
        reply.header('cache-control', cacheControl(path.replace(/\.(br|gz)$/, '')));
      },
    });
    first = false;
    fastify.get(web.prefix.slice(0, -1), (_req: unknown, reply: { redirect(url: string): void }) => reply.redirect(web.prefix));
    served.push(web.prefix);
  }
  if (served.length) {
    // browsers ask every origin for /favicon.ico: answer with the apps' icon rather than a 404
    const icon = [resolve(root, 'console/favicon.svg'), resolve(root, 'h5/resident/favicon.svg')].find((p) => existsSync(p));
    if (icon) {
      const svg = readFileSync(icon);
      fastify.get('/favicon.ico', (_req: unknown, reply: { header(k: string, v: string): unknown; type(t: string): { send(b: Buffer): void } }) => {
        reply.header('cache-control', 'public, max-age=86400');
        reply.type('image/svg+xml').send(svg);
      });
    }
    fastify.get('/', (_req: unknown, reply: { header(k: string, v: string): unknown; type(t: string): { send(b: string): void } }) => {
      reply.header('content-security-policy', csp);
      reply.header('cache-control', 'no-cache');
      reply.type('text/html; charset=utf-8').send(landingPage(served));
    });
    new Logger('web').log(`serving ${served.join(', ')} from ${root}`);
  }
  return served;
}

/** HTML is revalidated every time; content-hashed assets (name-3f9a1c2b.js) never change. */
export function cacheControl(path: string): string {
  if (path.endsWith('.html')) return 'no-cache';
  return /[.-][A-Za-z0-9_-]{8,}\.(js|css|png|svg|woff2?)$/.test(path) ? 'public, max-age=31536000, immutable' : 'public, max-age=3600';
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
 * The pages' own policy (the API's JSON answers keep `default-src 'none'`): scripts, fonts and
 * connections only to this origin, plus the rating service (residents rate from the H5 site) and the
 * optional map tile server for images. Inline styles are allowed (Element Plus and uni-app set style
 * attributes); inline scripts are not.
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

function landingPage(served: string[]): string {
  const links = WEB_APPS.filter((w) => served.includes(w.prefix))
    .map((w) => `<li><a href="${w.prefix}">${w.name}</a></li>`)
    .join('');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>心愿 Xinyuan</title><link rel="icon" href="/favicon.ico" type="image/svg+xml"><style>body{font:18px/1.6 system-ui,sans-serif;margin:3rem auto;max-width:36rem;padding:0 1rem}a{color:#b4232c}</style></head>
<body><h1>心愿 Xinyuan</h1><ul>${links}<li><a href="/api/docs">API 文档 (OpenAPI)</a></li></ul></body></html>`;
}
