import type { ClientBase } from 'pg';

/**
 * The apps' session settings, applied with one `SET` on every new connection before the pool hands
 * it out (pg-pool's `onConnect` hook, which runs after the pool watches the connection for errors).
 * Sent as SQL rather than as the startup `options` parameter, which PgBouncer refuses: the same
 * settings hold whether the app talks to Postgres directly or through PgBouncer (session pooling).
 */
export function applySessionSettings(settings: Record<string, string>): (client: ClientBase) => Promise<void> {
  const sql = Object.entries(settings)
    .map(([name, value]) => `SET ${name} = '${value.replace(/'/g, "''")}'`)
    .join('; ');
  return async (client) => {
    if (sql) await client.query(sql);
  };
}
