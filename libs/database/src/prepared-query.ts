import { createHash } from 'node:crypto';
import type { QueryResult } from 'pg';
import { EntityManager } from 'typeorm';

const names = new Map<string, string>();

/** The statement's name: derived from its text, so one text is one prepared statement per connection. */
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `x_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Runs a hot statement as a named prepared statement on the connection of `manager`'s transaction:
 * Postgres parses and plans it once per connection (node-postgres prepares it on first use and then
 * only binds and executes it; after five executions Postgres keeps a generic plan when that costs no
 * more than the custom ones) instead of on every execution, as TypeORM's `query` does. For the few
 * statements a job or request runs every time (dispatch's lock, offer and transition): their planning
 * cost as much Postgres CPU as their execution. Works through PgBouncer in session mode (the layouts'
 * mode); transaction pooling would need its prepared-statement support.
 *
 * Outside a transaction (no query runner) it falls back to `manager.query`. Errors are node-postgres
 * errors, not TypeORM's `QueryFailedError`.
 */
export async function preparedQuery<T = any>(manager: EntityManager, text: string, values: unknown[]): Promise<T[]> {
  const runner = manager.queryRunner;
  if (!runner || runner.isReleased) return manager.query(text, values);
  const client = (await runner.connect()) as { query(config: { name: string; text: string; values: unknown[] }): Promise<QueryResult> };
  const result = await client.query({ name: statementName(text), text, values });
  return result.rows as T[];
}
