import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { ROOT, TEST_DATABASE_URL } from './support/env';

interface TableFacts {
  lib: string;
  name: string;
  columns: Record<string, { udt: string; nullable: boolean }>;
}

/** Every table description (`table(…)` in a *.tables.ts) that the compiled libraries export. */
function describedTables(): TableFacts[] {
  const libs = readdirSync(join(ROOT, 'dist/libs'));
  const script = `
    const out = [];
    for (const lib of ${JSON.stringify(libs)}) {
      let exported;
      try { exported = require(${JSON.stringify(`${ROOT}/dist/libs/`)} + lib + '/src/index.js'); } catch (e) { continue; }
      for (const v of Object.values(exported)) if (v && v.kind === 'table') out.push({ lib, name: v.name, columns: v.columns });
    }
    process.stdout.write(JSON.stringify(out));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }));
}

/**
 * Rows are typed by the table descriptions of each context (there are no entity classes): each must
 * say exactly what the migrations made — every column, its type and whether it may be NULL — and
 * every table must have one, in one place.
 */
describe('table descriptions match the migrated schema', () => {
  let db: Client;
  let described: TableFacts[];
  let actual: Map<string, Map<string, { udt: string; nullable: boolean }>>;

  beforeAll(async () => {
    described = describedTables();
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    const { rows } = await db.query(
      `SELECT c.table_name, c.column_name, c.udt_name, c.is_nullable = 'YES' AS nullable
         FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
          AND c.table_name NOT IN ('migrations', 'spatial_ref_sys')`,
    );
    actual = new Map();
    for (const r of rows) {
      if (!actual.has(r.table_name)) actual.set(r.table_name, new Map());
      actual.get(r.table_name)!.set(r.column_name, { udt: r.udt_name, nullable: r.nullable });
    }
  });
  afterAll(() => db.end());

  it('every table of the schema is described exactly once', () => {
    const names = described.map((t) => t.name).sort();
    expect(names).toEqual([...actual.keys()].sort());
  });

  it('each description has exactly the columns of its table, with their types and nullability', () => {
    for (const t of described) {
      const columns = actual.get(t.name);
      const expected = Object.fromEntries([...(columns ?? new Map())].map(([name, c]) => [name, c]));
      expect({ table: t.name, columns: t.columns }).toEqual({ table: t.name, columns: expected });
    }
  });
});
