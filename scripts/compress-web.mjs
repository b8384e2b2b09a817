#!/usr/bin/env node
// Precompresses the built web front ends (gzip and brotli siblings: app.js → app.js.gz, app.js.br), so
// the api serves them with Content-Encoding without compressing on every request
// (apps/api/src/web/web-apps.ts, @fastify/static `preCompressed`). Usage: node scripts/compress-web.mjs <dir>...
import { readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const COMPRESSIBLE = /\.(html|js|mjs|css|svg|json|txt|ico|woff)$/;
const MIN_BYTES = 1024;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

let raw = 0, gz = 0, br = 0, count = 0;
for (const dir of process.argv.slice(2)) {
  for (const path of files(dir)) {
    if (/\.(gz|br)$/.test(path)) {
      // a sibling of an earlier build whose original is gone
      try { statSync(path.replace(/\.(gz|br)$/, '')); } catch { unlinkSync(path); }
      continue;
    }
    if (!COMPRESSIBLE.test(path)) continue;
    const body = readFileSync(path);
    if (body.length < MIN_BYTES) continue;
    const gzipped = gzipSync(body, { level: 9 });
    const brotli = brotliCompressSync(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
    });
    // a compressed copy no smaller than the file is not worth a header
    if (gzipped.length < body.length) writeFileSync(`${path}.gz`, gzipped);
    if (brotli.length < body.length) writeFileSync(`${path}.br`, brotli);
    raw += body.length; gz += Math.min(gzipped.length, body.length); br += Math.min(brotli.length, body.length); count++;
  }
}
const kb = (n) => `${Math.round(n / 1024)} KB`;
console.error(`[web] precompressed ${count} files: ${kb(raw)} → gzip ${kb(gz)}, brotli ${kb(br)}`);
