import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './support/env';

/**
 * `npm ci` installs exactly what a lockfile holds and refuses one that misses a package the tree
 * needs — including the optional binaries of other platforms (esbuild, rollup, msgpackr …). A lockfile
 * written on one machine without them makes `npm ci` fail elsewhere, and a fallback `npm install`
 * then rewrites the tracked file. This checks every lockfile the build installs from is complete.
 */
interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  link?: boolean;
}

/** Where Node would find `name` from the package at `from` (`node_modules/a/node_modules/b` → nested first, then up). */
function resolveIn(packages: Record<string, LockEntry>, from: string, name: string): string | null {
  let dir = from;
  for (;;) {
    const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) return null;
    const cut = dir.lastIndexOf('node_modules/');
    dir = cut <= 0 ? '' : dir.slice(0, cut - 1);
  }
}

function missingFrom(lockfile: string): string[] {
  const lock = JSON.parse(readFileSync(join(ROOT, lockfile), 'utf8')) as { lockfileVersion: number; packages: Record<string, LockEntry> };
  expect(lock.lockfileVersion).toBeGreaterThanOrEqual(2);
  const missing: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (entry.link) continue;
    const needs = { ...(entry.dependencies ?? {}), ...(entry.optionalDependencies ?? {}) };
    for (const name of Object.keys(needs)) {
      if (!resolveIn(lock.packages, path, name)) missing.push(`${name} (needed by ${path || 'the root package'})`);
    }
  }
  return missing;
}

describe('lockfiles are complete for every platform (npm ci works on a clean clone)', () => {
  it.each(['package-lock.json', 'apps/console/package-lock.json', 'apps/mobile/package-lock.json'])('%s lists every dependency and optional binary', (lockfile) => {
    expect(missingFrom(lockfile)).toEqual([]);
  });

  it.each(['package.json', 'apps/console/package.json', 'apps/mobile/package.json'])('%s and its lockfile agree on the direct dependencies', (manifest) => {
    const pkg = JSON.parse(readFileSync(join(ROOT, manifest), 'utf8'));
    const lock = JSON.parse(readFileSync(join(ROOT, manifest.replace('package.json', 'package-lock.json')), 'utf8'));
    const root = lock.packages[''];
    expect(root.dependencies ?? {}).toEqual(pkg.dependencies ?? {});
    expect(root.devDependencies ?? {}).toEqual(pkg.devDependencies ?? {});
  });
});
