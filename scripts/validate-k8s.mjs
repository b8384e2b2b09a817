#!/usr/bin/env node
// Validates Kubernetes manifests offline: every core object against the Kubernetes JSON schemas
// compiled into the `kubernetes-models` package (its validate()), every operator resource
// (CloudNativePG, redis-operator, Prometheus Operator) against the fields this project relies on.
//
//   node scripts/validate-k8s.mjs [files or directories…]   (default: deploy/k8s)
//
// Prints one JSON line per object ({file, kind, name, ok, errors}) and exits 1 if any is invalid.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const CORE_GROUPS = new Set(['v1', 'apps/v1', 'batch/v1', 'policy/v1', 'autoscaling/v2', 'networking.k8s.io/v1', 'rbac.authorization.k8s.io/v1']);

/** What this project needs of each operator's resources (their CRDs are not in kubernetes-models). */
const OPERATOR_RULES = {
  'postgresql.cnpg.io/v1/Cluster': (o) => [
    typeof o.spec?.instances === 'number' && o.spec.instances >= 2 ? null : 'spec.instances must be a number ≥ 2 (a primary and a replica)',
    o.spec?.storage?.size ? null : 'spec.storage.size is required',
    o.spec?.backup?.barmanObjectStore?.destinationPath ? null : 'spec.backup.barmanObjectStore.destinationPath is required (WAL archiving)',
  ],
  'postgresql.cnpg.io/v1/ScheduledBackup': (o) => [o.spec?.schedule ? null : 'spec.schedule is required', o.spec?.cluster?.name ? null : 'spec.cluster.name is required'],
  'postgresql.cnpg.io/v1/Pooler': (o) => [
    o.spec?.cluster?.name ? null : 'spec.cluster.name is required',
    ['rw', 'ro'].includes(o.spec?.type) ? null : 'spec.type must be rw or ro',
    o.spec?.pgbouncer?.poolMode === 'session' ? null : 'spec.pgbouncer.poolMode must be session (the apps send SET and LISTEN)',
  ],
  'databases.spotahome.com/v1/RedisFailover': (o) => [
    o.spec?.sentinel?.replicas >= 3 ? null : 'spec.sentinel.replicas must be ≥ 3',
    o.spec?.redis?.replicas >= 2 ? null : 'spec.redis.replicas must be ≥ 2',
  ],
  'monitoring.coreos.com/v1/ServiceMonitor': (o) => [
    Array.isArray(o.spec?.endpoints) && o.spec.endpoints.every((e) => e.path === '/metrics' && e.authorization?.credentials?.key)
      ? null
      : 'every endpoint scrapes /metrics with a token (authorization.credentials)',
  ],
};

function files(paths) {
  return paths.flatMap((p) => (statSync(p).isDirectory() ? readdirSync(p).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(p, f)) : [p]));
}

async function validate(file, doc) {
  const o = doc.toJSON();
  if (!o || typeof o !== 'object') return null;
  if (o.kind === 'Kustomization') return null;
  const base = { file, kind: o.kind, name: o.metadata?.name };
  if (!o.apiVersion || !o.kind || !o.metadata?.name) return { ...base, ok: false, errors: ['apiVersion, kind and metadata.name are required'] };
  if (CORE_GROUPS.has(o.apiVersion)) {
    const mod = await import(`kubernetes-models/${o.apiVersion}/${o.kind}`).catch(() => undefined);
    const Model = mod?.[o.kind];
    if (!Model) return { ...base, ok: false, errors: [`no schema for ${o.apiVersion} ${o.kind}`] };
    try {
      new Model(o).validate();
      return { ...base, ok: true, errors: [] };
    } catch (e) {
      return { ...base, ok: false, errors: [String(e.message ?? e)] };
    }
  }
  const rule = OPERATOR_RULES[`${o.apiVersion}/${o.kind}`];
  if (!rule) return { ...base, ok: false, errors: [`unknown resource ${o.apiVersion} ${o.kind}`] };
  const errors = rule(o).filter(Boolean);
  return { ...base, ok: errors.length === 0, errors };
}

const targets = files(process.argv.slice(2).length ? process.argv.slice(2) : ['deploy/k8s']);
let bad = 0;
for (const file of targets) {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  for (const doc of docs) {
    if (doc.errors.length) {
      bad++;
      console.log(JSON.stringify({ file, ok: false, errors: doc.errors.map((e) => e.message) }));
      continue;
    }
    const result = await validate(file, doc);
    if (!result) continue;
    if (!result.ok) bad++;
    console.log(JSON.stringify(result));
  }
}
process.exit(bad ? 1 : 0);
