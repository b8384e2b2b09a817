import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { RunningApp, startApp, testEnv } from './support/apps';
import { ARTIFACTS, launchChromium } from './support/browser';
import { ROOT } from './support/env';

/**
 * What a first visit costs on a slow county line: the bytes Chromium receives (headers and bodies,
 * as sent over the wire, empty cache) for the console's sign-in page and the resident H5's first
 * screen. The api sends the build's gzip / brotli copies; the sign-in page loads no view but itself.
 */
describe('web weight: first visit, transferred bytes (Chromium)', () => {
  const LOGIN_BUDGET = 250 * 1024;
  const RESIDENT_BUDGET = 150 * 1024;
  let api: RunningApp;
  let browser: Browser;
  const figures: Record<string, unknown> = {};

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/web/console/index.html'))) throw new Error('the front ends are not built: run `npm run build:web` (npm test does)');
    api = await startApp('api', testEnv(`weight-${Date.now() % 100000}`, { WEB_DIR: join(ROOT, 'dist/web') }));
    browser = await launchChromium();
  }, 120000);

  afterAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'web-weight.json'), JSON.stringify(figures, null, 2));
    await browser?.close();
    await api?.stop();
  });

  /** Loads `url` in a fresh context and counts every byte received until `ready` shows and the network is idle. */
  async function firstVisit(url: string, ready: (page: Page) => Promise<unknown>, viewport = { width: 1440, height: 900 }) {
    const ctx = await browser.newContext({ viewport, locale: 'zh-CN' });
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const requests = new Map<string, { url: string; encoding: string; vary: string; status: number }>();
    let transferred = 0;
    cdp.on('Network.responseReceived', (e: any) => {
      const h = Object.fromEntries(Object.entries(e.response.headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
      requests.set(e.requestId, { url: e.response.url, encoding: h['content-encoding'] ?? '', vary: h['vary'] ?? '', status: e.response.status });
    });
    cdp.on('Network.loadingFinished', (e: any) => (transferred += e.encodedDataLength));
    await page.goto(url);
    await ready(page);
    await page.waitForLoadState('networkidle');
    await ctx.close();
    return { transferred, requests: [...requests.values()] };
  }

  it(`the console's sign-in page: ≤ ${LOGIN_BUDGET / 1024} KB, compressed, nothing but itself`, async () => {
    const visit = await firstVisit(`${api.url}/console/`, (page) => page.locator('[data-testid="login-submit"]').waitFor());
    figures.consoleLogin = { transferredBytes: visit.transferred, requests: visit.requests.length };
    const assets = visit.requests.filter((r) => /\.(js|css)$/.test(new URL(r.url).pathname));
    expect(assets.length).toBeGreaterThan(0);
    // every script and stylesheet comes compressed, and says the answer depends on Accept-Encoding
    for (const r of assets) {
      expect({ url: r.url, encoding: r.encoding }).toEqual({ url: r.url, encoding: expect.stringMatching(/^(gzip|br)$/) });
      expect(r.vary.toLowerCase()).toContain('accept-encoding');
    }
    // no view of the signed-in console (the shell, the dashboard's charts, tables) is loaded to sign in
    expect(visit.requests.map((r) => r.url).filter((u) => /Shell-|DashboardView-|QueueView-|el-table|echarts/.test(u))).toEqual([]);
    expect(visit.requests.filter((r) => r.status >= 400)).toEqual([]);
    expect(visit.transferred).toBeLessThanOrEqual(LOGIN_BUDGET);
  });

  it(`the resident H5's first screen on a phone: ≤ ${RESIDENT_BUDGET / 1024} KB`, async () => {
    const visit = await firstVisit(`${api.url}/h5/resident/`, (page) => page.getByText('没有账号？点这里注册').waitFor(), { width: 390, height: 844 });
    figures.residentH5 = { transferredBytes: visit.transferred, requests: visit.requests.length };
    expect(visit.requests.filter((r) => r.status >= 400)).toEqual([]);
    expect(visit.transferred).toBeLessThanOrEqual(RESIDENT_BUDGET);
  });

  it('serves brotli to a client that asks for it, gzip to one that does not, and the plain file otherwise', async () => {
    const html = await (await fetch(`${api.url}/console/`)).text();
    const script = /src="(\/console\/assets\/index-[^"]+\.js)"/.exec(html)![1];
    const plain = await fetch(`${api.url}${script}`, { headers: { 'accept-encoding': 'identity' } });
    const plainBytes = (await plain.arrayBuffer()).byteLength;
    expect(plain.headers.get('content-encoding')).toBeNull();
    // Node's fetch decodes the body itself; ask over raw HTTP to see the encoded length
    const raw = async (encoding: string) => {
      const { request } = await import('node:http');
      return new Promise<{ encoding: string | undefined; bytes: number; vary: string | undefined; cache: string | undefined }>((resolve, reject) => {
        request(`${api.url}${script}`, { headers: { 'accept-encoding': encoding } }, (res) => {
          let bytes = 0;
          res.on('data', (c: Buffer) => (bytes += c.length));
          res.on('end', () => resolve({ encoding: res.headers['content-encoding'], bytes, vary: res.headers.vary, cache: res.headers['cache-control'] }));
        }).on('error', reject).end();
      });
    };
    const br = await raw('gzip, deflate, br');
    const gz = await raw('gzip');
    expect(br.encoding).toBe('br');
    expect(gz.encoding).toBe('gzip');
    expect(br.bytes).toBeLessThan(gz.bytes);
    expect(gz.bytes).toBeLessThan(plainBytes / 2);
    // the copy is cached like the file it stands for (content-hashed: for a year)
    expect(br.cache).toContain('immutable');
    expect(br.vary?.toLowerCase()).toContain('accept-encoding');
    figures.consoleEntryScript = { plainBytes, gzipBytes: gz.bytes, brotliBytes: br.bytes };
  });

  it('every app and the api root have an icon (no favicon 404)', async () => {
    for (const path of ['/favicon.ico', '/console/favicon.svg', '/h5/resident/favicon.svg', '/h5/volunteer/favicon.svg']) {
      const res = await fetch(`${api.url}${path}`);
      expect({ path, status: res.status, type: res.headers.get('content-type') }).toEqual({ path, status: 200, type: expect.stringContaining('image/svg+xml') });
    }
  });
});
