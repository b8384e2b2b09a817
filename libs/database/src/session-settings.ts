import { Client, ClientConfig } from 'pg';

/**
 * A pg Client that applies the apps' session settings with one `SET` right after it connects,
 * before the pool hands it out (pg queues statements per connection, so nothing can run first).
 * Sent as SQL rather than as the startup `options` parameter, which PgBouncer refuses: the same
 * settings hold whether the app talks to Postgres directly or through PgBouncer (session pooling).
 */
export function sessionSettingsClient(settings: Record<string, string>): typeof Client {
  const sql = Object.entries(settings)
    .map(([name, value]) => `SET ${name} = '${value.replace(/'/g, "''")}'`)
    .join('; ');
  return class SessionSettingsClient extends Client {
    constructor(config?: string | ClientConfig) {
      super(config);
    }

    override connect(): Promise<Client>;
    override connect(callback: (err: Error | null, client?: Client) => void): void;
    override connect(callback?: (err: Error | null, client?: Client) => void): Promise<Client> | void {
      const ready = super.connect().then(async () => {
        if (sql) await super.query(sql);
        return this as Client;
      });
      if (!callback) return ready;
      ready.then((client) => callback(null, client), (err: Error) => callback(err));
    }
  } as unknown as typeof Client;
}
