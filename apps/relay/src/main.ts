import 'reflect-metadata';
import { createHttpApp, listen } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { observabilityFor } from '@xinyuan/observability';
import { RelayModule } from './relay.module';

/** The notification relay: outbox → notifications → SMS / WeChat; HTTP only for health and metrics. */
export async function bootstrap() {
  const app = await createHttpApp(RelayModule, { title: 'relay', description: 'health and metrics', docs: false, ...observabilityFor('relay') });
  const config = app.get(AppConfig);
  await listen(app, config.PORT ?? 3003, 'relay');
  return app;
}

if (require.main === module) {
  bootstrap().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
