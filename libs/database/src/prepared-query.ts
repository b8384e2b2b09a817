import type { Pool } from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';

/** A hot statement run as a named prepared statement: Postgres parses and analyses it once per connection. */
export interface PreparedStatement {
  /** Unique among the app's prepared statements. */
  name: string;
  text: string;
}

/** SQLSTATEs of a prepared statement a migration made stale ("cached plan must not change result type"). */
const STALE_PREPARED = new Set(['0A000', '26000']);

/**
 * Runs `statement` as a named prepared statement on the DataSource's pool. `dataSource.query` sends
 * every statement unnamed, so Postgres parses, analyses and rewrites it on every call: for the order
 * intake's statement (several CTEs, triggers behind them) that was about half of its Postgres CPU.
 * node-postgres prepares the name once per connection (a new connection after a failover prepares it
 * again); PgBouncer in session mode, as deployed, keeps that connection-bound state.
 *
 * Errors are TypeORM's `QueryFailedError`, as from `dataSource.query`, and the connection goes back to
 * the pool as TypeORM would return it (dropped only when the connection itself failed). A statement a
 * schema change made stale fails before it does anything: its connection is dropped (the next one
 * prepares the new shape) and the statement runs once more, unnamed.
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
  let stale = false;
  try {
    return (await client.query({ name: statement.name, text: statement.text, values: parameters })).rows as T[];
  } catch (e) {
    stale = STALE_PREPARED.has((e as { code?: string })?.code ?? '');
    if (stale) broken = e as Error;
    else throw new QueryFailedError(statement.text, parameters, e as Error);
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
  return dataSource.query(statement.text, parameters);
}
