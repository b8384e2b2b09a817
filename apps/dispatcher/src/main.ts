import 'reflect-metadata';
import { createHttpApp, listen } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { observabilityFor } from '@xinyuan/observability';
import { DispatcherModule } from './dispatcher.module';

/** BullMQ workers (match → offer → timeout → cascade → escalate, reconciler); HTTP only for health/metrics. */
export async function bootstrap() {
  // see AppConfig.DB_SYNCHRONOUS_COMMIT: the dispatcher's writes are all re-derivable from Postgres
  process.env.DB_SYNCHRONOUS_COMMIT ??= 'off';
  const app = await createHttpApp(DispatcherModule, { title: 'dispatcher', description: 'health and metrics', docs: false, ...observabilityFor('dispatcher') });
  const config = app.get(AppConfig);
  await listen(app, config.PORT ?? 3002, 'dispatcher');
  return app;
}

if (require.main === module) {
  bootstrap().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
