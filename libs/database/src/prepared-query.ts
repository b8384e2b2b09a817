import { createHash } from 'node:crypto';
import type { Pool, QueryResult } from 'pg';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';

/**
 * Hot statements run as named prepared statements: Postgres parses, analyses and plans them once per
 * connection (node-postgres prepares a name on first use, then only binds and executes; after five
 * executions Postgres keeps a generic plan when that costs no more than the custom ones) instead of
 * on every call, as TypeORM's `query` does. For the few statements every order runs — the intake's
 * insert, dispatch's lock, candidate search, offer and transition — parsing and planning cost about as
 * much Postgres CPU as executing. Works through PgBouncer in session mode (every layout's mode);
 * transaction pooling would need its prepared-statement support.
 *
 * Errors are TypeORM's `QueryFailedError`, as from `query`. A statement a migration made stale
 * ("cached plan must not change result type") fails once on each connection that prepared it; that
 * connection then prepares the new shape (under a new name, or on a fresh connection).
 */

/** A statement with its own name (unique among the app's prepared statements). */
export interface PreparedStatement {
  name: string;
  text: string;
}

/** SQLSTATEs of a prepared statement a schema change made stale. */
const STALE_PREPARED = new Set(['0A000', '26000']);

type PgClient = { query(config: { name: string; text: string; values: unknown[] }): Promise<QueryResult> };

const names = new Map<string, string>();
/** The statement's name derived from its text: one text is one prepared statement per connection. */
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `x_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

/** Connections whose prepared statements went stale: they prepare again under the next generation's names. */
const generations = new WeakMap<object, number>();

async function runNamed<T>(client: PgClient, name: string, text: string, values: unknown[]): Promise<T[]> {
  const generation = generations.get(client) ?? 0;
  try {
    return (await client.query({ name: generation ? `${name}_${generation}` : name, text, values })).rows as T[];
  } catch (e) {
    if (STALE_PREPARED.has((e as { code?: string })?.code ?? '')) generations.set(client, generation + 1);
    throw new QueryFailedError(text, values, e as Error);
  }
}

/**
 * On the connection of `manager`'s transaction (dispatch's statements). Outside a transaction (no
 * query runner) it is `manager.query`.
 */
export async function preparedQuery<T = any>(manager: EntityManager, text: string, values: unknown[]): Promise<T[]> {
  const runner = manager.queryRunner;
  if (!runner || runner.isReleased) return manager.query(text, values);
  const client = (await runner.connect()) as PgClient;
  return runNamed<T>(client, statementName(text), text, values);
}

/**
 * On a connection of the DataSource's pool, autocommitted (the intake's one-statement placement). A
 * stale statement is retried once, unnamed, and its connection is dropped rather than returned; a
 * connection that failed is dropped as TypeORM would.
 */
export async function queryPrepared<T>(dataSource: DataSource, statement: PreparedStatement, parameters: unknown[]): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (!pool) return dataSource.query(statement.text, parameters);
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (e: Error) => {
    broken = e;
  };
  client.on('error', onError);
  try {
    return await runNamed<T>(client as unknown as PgClient, statement.name, statement.text, parameters);
  } catch (e) {
    const cause = (e as QueryFailedError).driverError as { code?: string } | undefined;
    if (!STALE_PREPARED.has(cause?.code ?? '')) throw e;
    broken = e as Error;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
  return dataSource.query(statement.text, parameters);
}
