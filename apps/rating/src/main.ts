import 'reflect-metadata';
import { createHttpApp, listen } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { observabilityFor } from '@xinyuan/observability';
import { RatingAppModule } from './rating-app.module';

export const RATING_DOCS = { title: '心愿 Xinyuan rating service', description: '评单与服务队信誉' };

/** 评单: ratings and team reputation, its own process and port. */
export async function bootstrap() {
  const app = await createHttpApp(RatingAppModule, { ...RATING_DOCS, docs: true, rateLimit: true, ...observabilityFor('rating') });
  const config = app.get(AppConfig);
  await listen(app, config.PORT ?? 3001, 'rating');
  return app;
}

if (require.main === module) {
  bootstrap().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
