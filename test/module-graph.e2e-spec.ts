import { execFileSync } from 'node:child_process';
import { ROOT } from './support/env';

interface ModuleFacts {
  name: string;
  imports: string[];
  providers: string[];
  exports: string[];
}

/**
 * The module graph of each compiled app, read from Nest's module metadata in a child process
 * (NestJS is ESM-only; Node loads it with require(esm), Jest's module loader does not).
 */
function graphOf(app: 'api' | 'dispatcher' | 'rating' | 'relay'): ModuleFacts[] {
  const entry = {
    api: 'api/src/api.module.js', dispatcher: 'dispatcher/src/dispatcher.module.js', rating: 'rating/src/rating-app.module.js', relay: 'relay/src/relay.module.js',
  }[app];
  const script = `
    require('reflect-metadata');
    const mod = require(${JSON.stringify(`${ROOT}/dist/apps/${entry}`)});
    const root = Object.values(mod).find((v) => typeof v === 'function' && Reflect.getMetadata('imports', v));
    const name = (t) => (t && typeof t === 'object' && 'provide' in t ? t.provide : t)?.name ?? String(t);
    const seen = new Map();
    const visit = (m) => {
      const cls = m && typeof m === 'object' && 'module' in m ? m.module : m;
      if (!cls || seen.has(cls)) return;
      const facts = { name: cls.name, imports: [], providers: (Reflect.getMetadata('providers', cls) || []).map(name),
                      exports: (Reflect.getMetadata('exports', cls) || []).map(name) };
      seen.set(cls, facts);
      for (const i of Reflect.getMetadata('imports', cls) || []) {
        facts.imports.push(name(i && typeof i === 'object' && 'module' in i ? i.module : i));
        visit(i);
      }
    };
    visit(root);
    process.stdout.write(JSON.stringify([...seen.values()]));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }));
}

const providing = (graph: ModuleFacts[], token: string) => graph.filter((m) => m.providers.includes(token)).map((m) => m.name);

/**
 * One Nest module per bounded context, each provider in one place: two providers of one service are
 * two instances (two caches) in one process, and a module that bundles more than an app uses makes
 * that app open connections it does not need.
 */
describe('module graph of the four apps', () => {
  const graphs = { api: graphOf('api'), dispatcher: graphOf('dispatcher'), rating: graphOf('rating'), relay: graphOf('relay') };

  it.each(['api', 'dispatcher', 'rating'] as const)('%s: JurisdictionService is provided by exactly one module (OrgModule)', (app) => {
    expect(providing(graphs[app], 'JurisdictionService')).toEqual(['OrgModule']);
  });

  it('every context the api uses has its own module, imported by the api itself', () => {
    const api = graphs.api.find((m) => m.name === 'ApiModule')!;
    expect(api.imports).toEqual(expect.arrayContaining([
      'OrgModule', 'CatalogModule', 'AuditModule', 'BeneficiariesModule', 'OrdersModule', 'OrderWorkflowModule', 'DispatchModule',
    ]));
    expect(providing(graphs.api, 'AuditLog')).toEqual(['AuditModule']);
    expect(providing(graphs.api, 'CatalogService')).toEqual(['CatalogModule']);
  });

  it('no module re-exports another module (where a provider comes from stays visible)', () => {
    for (const graph of Object.values(graphs)) {
      const moduleNames = new Set(graph.map((m) => m.name));
      for (const m of graph) {
        // framework modules (JwtModule, TypeOrmModule) are the frameworks' business
        if (!m.name.endsWith('Module') || ['IdentityModule', 'DatabaseModule'].includes(m.name)) continue;
        expect({ module: m.name, reexports: m.exports.filter((e) => moduleNames.has(e)) }).toEqual({ module: m.name, reexports: [] });
      }
    }
  });

  it('the rating service pulls in no queue: it rates and closes orders, and enqueues nothing', () => {
    expect(graphs.rating.map((m) => m.name)).not.toContain('QueueModule');
    expect(providing(graphs.rating, 'DispatchQueue')).toEqual([]);
    expect(providing(graphs.rating, 'PlaceOrderUseCase')).toEqual([]);
  });

  it('the relay sends notifications and dispatches nothing; the api and the relay share one notifications module', () => {
    expect(providing(graphs.relay, 'DispatchQueue')).toEqual([]);
    expect(graphs.relay.map((m) => m.name)).not.toContain('DispatchModule');
    for (const app of ['api', 'relay'] as const) {
      expect(providing(graphs[app], 'DeliveryService')).toEqual(['NotificationsModule']);
      expect(providing(graphs[app], 'OutboxReader')).toEqual(['OutboxModule']);
      expect(providing(graphs[app], 'Clock')).toEqual(['IdentityModule']);
    }
  });

  it('each provider is provided by one module of an app', () => {
    for (const graph of Object.values(graphs)) {
      const by = new Map<string, string[]>();
      for (const m of graph) for (const p of m.providers) by.set(p, [...(by.get(p) ?? []), m.name]);
      expect([...by].filter(([, ms]) => ms.length > 1)).toEqual([]);
    }
  });
});

/** The packages of the given names that loading an app's compiled modules (as its main.js does) brings in. */
function packagesLoadedAtStart(app: 'api' | 'dispatcher', names: string[]): string[] {
  const script = `
    require('reflect-metadata');
    require(${JSON.stringify(`${ROOT}/dist/apps/${app}/src/main.js`)});
    const names = ${JSON.stringify(names)};
    const loaded = names.filter((n) => Object.keys(require.cache).some((f) => f.includes('/node_modules/' + n + '/')));
    process.stdout.write(JSON.stringify(loaded));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }));
}

/**
 * Issue 17 (peak RSS): spreadsheet, PDF and QR libraries are loaded where a file is read or made,
 * not at start (about 12 MB of heap in the api, 5 MB in the dispatcher, that no order needs).
 */
describe('what the apps load at start', () => {
  const heavy = ['exceljs', 'pdfkit', 'qrcode'];

  it.each(['api', 'dispatcher'] as const)('%s: no exceljs, pdfkit or qrcode until one is used', (app) => {
    expect(packagesLoadedAtStart(app, heavy)).toEqual([]);
  });

  it('the check sees a package the api does load at start', () => {
    expect(packagesLoadedAtStart('api', ['bullmq'])).toEqual(['bullmq']);
  });
});
