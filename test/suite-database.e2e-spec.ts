import { Client } from 'pg';
import { suiteDatabaseName, templateDatabaseUrl } from './support/databases';
import { TEST_DATABASE_URL } from './support/env';

/**
 * Every end-to-end suite runs in a database of its own, cloned from the migrated template: rows one
 * suite writes are invisible to every other suite, whatever key or data it uses.
 */
describe('each end-to-end suite has its own database', () => {
  let db: Client;
  beforeAll(async () => {
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });
  afterAll(() => db.end());

  it('is a clone of the migrated template, named after the suite', async () => {
    const [{ name }] = (await db.query(`SELECT current_database() AS name`)).rows;
    expect(name).toBe(suiteDatabaseName('suite-database'));
    expect(name).not.toBe(new URL(templateDatabaseUrl()).pathname.slice(1));
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM migrations`);
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it('keeps its rows to itself: the template (and so every other suite) does not see them', async () => {
    await db.query(`INSERT INTO regions (name, level) VALUES ('只在本套件', 'county')`);
    const template = new Client({ connectionString: templateDatabaseUrl() });
    await template.connect();
    try {
      const { rows } = await template.query(`SELECT count(*)::int AS n FROM regions WHERE name = '只在本套件'`);
      expect(rows[0].n).toBe(0);
    } finally {
      await template.end();
    }
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM regions WHERE name = '只在本套件'`);
    expect(rows[0].n).toBe(1);
  });
});
