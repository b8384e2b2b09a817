import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './support/env';

/**
 * What someone taking the front ends over trips on: imports that climb out of an app by relative
 * path instead of the `@shared` alias, package scripts that point at missing files, dependencies no
 * source uses, and helpers written twice (the token refresh, the seeded PRNG).
 */
function sources(dir: string, exts = ['.ts', '.vue', '.mjs']): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'unpackage') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path, exts));
    else if (exts.some((e) => name.endsWith(e))) out.push(path);
  }
  return out;
}
const read = (path: string) => readFileSync(path, 'utf8');
const rel = (path: string) => relative(ROOT, path);

describe('front-end hygiene', () => {
  const console_ = sources(join(ROOT, 'apps/console/src'));
  const mobile = sources(join(ROOT, 'apps/mobile')).filter((f) => !f.endsWith('.d.ts'));

  it('the console and the uni-apps reach apps/web-shared through the @shared alias only', () => {
    const climbing = [...console_, ...mobile].filter((f) => /from '(\.\.\/)+web-shared\//.test(read(f))).map(rel);
    expect(climbing).toEqual([]);
    expect(mobile.some((f) => read(f).includes("from '@shared/"))).toBe(true);
  });

  it('every package script of the front ends points at files that exist', () => {
    for (const app of ['console', 'mobile']) {
      const dir = join(ROOT, 'apps', app);
      const scripts = JSON.parse(read(join(dir, 'package.json'))).scripts as Record<string, string>;
      for (const [name, command] of Object.entries(scripts)) {
        for (const file of command.match(/[\w./-]+\.(?:mjs|js|sh|ts)\b/g) ?? []) {
          expect({ app, name, file, exists: existsSync(join(dir, file)) }).toEqual({ app, name, file, exists: true });
        }
      }
    }
  });

  it('every runtime dependency of the uni-apps is used by their sources (framework packages aside)', () => {
    const deps = Object.keys(JSON.parse(read(join(ROOT, 'apps/mobile/package.json'))).dependencies);
    const text = mobile.map(read).join('\n');
    for (const dep of deps.filter((d) => !d.startsWith('@dcloudio/') && d !== 'vue')) {
      expect({ dep, imported: text.includes(`'${dep}'`) || text.includes(`'${dep}/`) }).toEqual({ dep, imported: true });
    }
  });

  it('components both uni-apps carry (a mini-program component must live inside its app) stay identical', () => {
    const resident = readdirSync(join(ROOT, 'apps/mobile/resident/components'));
    const shared = readdirSync(join(ROOT, 'apps/mobile/volunteer/components')).filter((f) => resident.includes(f));
    expect(shared).toEqual(expect.arrayContaining(['InboxList.vue', 'NotificationSettings.vue']));
    for (const f of shared) {
      const [a, b] = ['resident', 'volunteer'].map((app) => read(join(ROOT, 'apps/mobile', app, 'components', f)));
      expect({ f, identical: a === b }).toEqual({ f, identical: true });
    }
  });

  it('the token refresh, the live-stream reader and the seeded PRNG are written once', () => {
    const refreshers = [...console_, ...mobile].filter((f) => /refreshing\s*(\?\?=|=)/.test(read(f))).map(rel);
    expect(refreshers).toEqual([]);
    const sseReaders = [...console_, ...mobile].filter((f) => /text\/event-stream/.test(read(f))).map(rel);
    expect(sseReaders).toEqual([]);
    const all = [...sources(join(ROOT, 'apps')), ...sources(join(ROOT, 'libs')), ...sources(join(ROOT, 'bench')), ...sources(join(ROOT, 'test'))];
    const prngs = all.filter((f) => /function mulberry32\s*\(/.test(read(f))).map(rel);
    expect(prngs).toEqual(['libs/common/src/prng.ts']);
  });
});
