import { execFile, execFileSync } from 'node:child_process';
import { loadConfig, weakSecretReason } from '../libs/config/src/app-config';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { ROOT } from './support/env';

const run = promisify(execFile);

interface Verdict {
  file: string;
  kind: string;
  name: string;
  ok: boolean;
  errors: string[];
}

/** scripts/validate-k8s.mjs: kubernetes-models is ESM-only, so it runs in its own Node process. */
async function validate(...paths: string[]): Promise<{ code: number; verdicts: Verdict[] }> {
  const res = await run(process.execPath, [join(ROOT, 'scripts/validate-k8s.mjs'), ...paths], { cwd: ROOT }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  return { code: res.code, verdicts: res.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

const objects = () =>
  ['20-api.yaml', '21-dispatcher.yaml', '22-rating.yaml', '23-relay.yaml'].flatMap((f) =>
    parseAllDocuments(readFileSync(join(ROOT, 'deploy/k8s', f), 'utf8')).map((d) => d.toJSON()),
  );

/**
 * The deployment descriptors: the Kubernetes manifests (deploy/k8s) against the Kubernetes JSON
 * schemas of the offline `kubernetes-models` package, plus what the topology needs of them; and
 * docker-compose.yml through `docker-compose config -q` in both layouts.
 */
describe('deployment descriptors', () => {
  it('every Kubernetes object in deploy/k8s is valid against the Kubernetes schemas (operators: the fields we rely on)', async () => {
    const { code, verdicts } = await validate('deploy/k8s');
    expect(verdicts.filter((v) => !v.ok)).toEqual([]);
    expect(code).toBe(0);
    const kinds = verdicts.map((v) => `${v.kind}/${v.name}`);
    expect(kinds).toEqual(expect.arrayContaining([
      'Deployment/xinyuan-api', 'Deployment/xinyuan-dispatcher', 'Deployment/xinyuan-rating', 'Deployment/xinyuan-relay',
      'HorizontalPodAutoscaler/xinyuan-api', 'HorizontalPodAutoscaler/xinyuan-dispatcher',
      'PodDisruptionBudget/xinyuan-api', 'PodDisruptionBudget/xinyuan-dispatcher',
      'Cluster/xinyuan-pg', 'Pooler/xinyuan-pg-pooler-rw', 'RedisFailover/xinyuan', 'ServiceMonitor/xinyuan', 'Job/xinyuan-migrate-0-1-0',
    ]));
  }, 60000);

  it('the validator refuses a broken manifest (so the check above can fail)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xinyuan-k8s-'));
    writeFileSync(join(dir, 'bad.yaml'), [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata: { name: broken }', 'spec:', '  replicas: two',
      '  selector: { matchLabels: { a: b } }', '  template:', '    spec:', '      containers:', '        - image: x',
      '---', 'apiVersion: autoscaling/v2', 'kind: HorizontalPodAutoscaler', 'metadata: { name: broken }', 'spec: { minReplicas: 1 }',
      '---', 'apiVersion: postgresql.cnpg.io/v1', 'kind: Pooler', 'metadata: { name: p }', 'spec: { cluster: { name: c }, type: rw, pgbouncer: { poolMode: transaction } }',
    ].join('\n'));
    const { code, verdicts } = await validate(join(dir, 'bad.yaml'));
    expect(code).toBe(1);
    expect(verdicts.map((v) => v.ok)).toEqual([false, false, false]);
    expect(verdicts[0].errors.join()).toMatch(/replicas must be integer/);
    expect(verdicts[0].errors.join()).toMatch(/must have required property '?name'?/);
    expect(verdicts[1].errors.join()).toMatch(/scaleTargetRef|maxReplicas/);
    expect(verdicts[2].errors.join()).toMatch(/session/);
  }, 60000);

  it('api and dispatchers have probes on /health/live and /health/ready, requests, a PDB and an HPA; the apps read the operators\' services', () => {
    const all = objects();
    for (const app of ['xinyuan-api', 'xinyuan-dispatcher', 'xinyuan-rating', 'xinyuan-relay']) {
      const deployment = all.find((o) => o.kind === 'Deployment' && o.metadata.name === app);
      const c = deployment.spec.template.spec.containers[0];
      expect(c.livenessProbe.httpGet.path).toBe('/health/live');
      expect(c.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(c.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      expect(all.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === app)).toBeDefined();
    }
    for (const app of ['xinyuan-api', 'xinyuan-dispatcher']) {
      const hpa = all.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === app);
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: app });
      expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    }
    const config = parseAllDocuments(readFileSync(join(ROOT, 'deploy/k8s/01-config.yaml'), 'utf8'))[0].toJSON().data;
    expect(config.DATABASE_URL).toContain('xinyuan-pg-pooler-rw');
    expect(config.DATABASE_READ_URL).toContain('xinyuan-pg-ro');
    expect(config.REDIS_SENTINELS).toContain('rfs-xinyuan');
    // secrets only by reference
    for (const key of ['JWT_SECRET', 'PII_ENCRYPTION_KEY', 'METRICS_TOKEN', 'ADMIN_PASSWORD']) expect(config).not.toHaveProperty(key);
  });

  describe('docker-compose.yml', () => {
    // the env file an operator generates (scripts/secrets.sh), outside the repository
    const envDir = mkdtempSync(join(tmpdir(), 'xinyuan-env-'));
    const envFile = join(envDir, '.env.production');
    let generated: Record<string, string>;
    beforeAll(async () => {
      const { stdout } = await run('bash', [join(ROOT, 'scripts/secrets.sh')], { cwd: ROOT });
      writeFileSync(envFile, stdout);
      generated = Object.fromEntries(stdout.split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    });
    const compose = async (...args: string[]) =>
      run('docker-compose', ['--env-file', envFile, '-f', join(ROOT, 'docker-compose.yml'), ...args], { cwd: ROOT, env: { ...process.env, XINYUAN_ENV_FILE: envFile } });

    it('takes every secret from the generated env file: none in the compose file, and nothing starts without one', async () => {
      const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
      for (const key of ['JWT_SECRET', 'PII_ENCRYPTION_KEY', 'METRICS_TOKEN', 'ADMIN_PASSWORD']) expect(text).not.toMatch(new RegExp(`^\\s+${key}:\\s*(?!\\$\\{)\\S`, 'm'));
      expect(text).not.toContain('POSTGRES_HOST_AUTH_METHOD');
      // without the env file there is nothing to run
      await expect(run('docker-compose', ['-f', join(ROOT, 'docker-compose.yml'), '--profile', 'single', 'config', '-q'], {
        cwd: ROOT, env: { ...process.env, XINYUAN_ENV_FILE: join(envDir, 'missing.env') },
      })).rejects.toThrow(/env file/i);
      const { stdout } = await compose('--profile', 'single', 'config');
      const services = parseAllDocuments(stdout)[0].toJSON().services as Record<string, any>;
      for (const app of ['api', 'rating', 'dispatcher', 'relay', 'migrate']) {
        const env = services[app].environment;
        expect({ app, NODE_ENV: env.NODE_ENV, JWT_SECRET: env.JWT_SECRET, PII_ENCRYPTION_KEY: env.PII_ENCRYPTION_KEY, STAFF_SECOND_FACTOR: env.STAFF_SECOND_FACTOR })
          .toEqual({ app, NODE_ENV: 'production', JWT_SECRET: generated.JWT_SECRET, PII_ENCRYPTION_KEY: generated.PII_ENCRYPTION_KEY, STAFF_SECOND_FACTOR: 'sms' });
        expect(env.DATABASE_URL).toBe(`postgres://postgres:${generated.POSTGRES_PASSWORD}@postgres:5432/xinyuan`);
      }
      expect(services.postgres.environment.POSTGRES_PASSWORD).toBe(generated.POSTGRES_PASSWORD);
      // the generated secrets are what production accepts
      expect(() => loadConfig({ ...generated, NODE_ENV: 'production', SMS_PROVIDER: 'http' })).not.toThrow();
    }, 60000);

    it('every secret value written anywhere in the repository is one production refuses', () => {
      const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n')
        .filter((f) => f && !f.includes('node_modules') && !/package-lock\.json$|\.(png|jpg|svg|ico|woff2?)$/.test(f));
      const assignment = /\b(JWT_SECRET|PII_ENCRYPTION_KEY|ADMIN_PASSWORD|METRICS_TOKEN|SMS_CALLBACK_SECRET|SMS_HTTP_TOKEN|WECHAT_SECRET)\b["']?\s*[:=]\s*['"`]([^'"`\s$]{6,})['"`]/g;
      const found = new Map<string, string>();
      for (const f of files) {
        let text: string;
        try {
          text = readFileSync(join(ROOT, f), 'utf8');
        } catch {
          continue;
        }
        for (const m of text.matchAll(assignment)) found.set(m[2], `${f}: ${m[1]}`);
      }
      expect(found.size).toBeGreaterThan(3);
      const accepted = [...found].filter(([value]) => !weakSecretReason(value, 128)).map(([value, where]) => `${where} = ${value}`);
      expect(accepted).toEqual([]);
    });

    it('is valid in both layouts (docker-compose config -q)', async () => {
      await expect(compose('config', '-q')).resolves.toBeDefined();
      await expect(compose('--profile', 'single', 'config', '-q')).resolves.toBeDefined();
      await expect(compose('--profile', 'ha', 'config', '-q')).resolves.toBeDefined();
    }, 60000);

    it('keeps Postgres, Redis and the engines off the published ports, and the layouts match the Kubernetes topology', async () => {
      const { stdout } = await compose('config');
      const services = parseAllDocuments(stdout)[0].toJSON().services as Record<string, any>;
      for (const internal of ['postgres', 'redis', 'pg1', 'pg2', 'etcd', 'pgbouncer', 'redis-master', 'redis-replica', 'sentinel1', 'sentinel2', 'sentinel3']) {
        expect({ internal, ports: services[internal].ports }).toEqual({ internal, ports: undefined });
        expect(Object.keys(services[internal].networks)).toEqual(['internal']);
      }
      expect(services['api-ha'].deploy.replicas).toBe(2);
      expect(services['dispatcher-ha'].deploy.replicas).toBe(3);
      expect(services['api-ha'].environment.REDIS_SENTINELS).toBe('sentinel1:26379,sentinel2:26379,sentinel3:26379');
      expect(services['api-ha'].environment.DATABASE_READ_URL).toContain('xinyuan_ro');
      // no demo seed on start: the seed is a separate, explicitly run service
      expect(JSON.stringify(services.api.command)).not.toContain('seed');
      expect(services.seed.profiles).toEqual(['demo']);
      expect(services.api.healthcheck.test.join(' ')).toContain('/health/ready');
    }, 60000);
  });
});
