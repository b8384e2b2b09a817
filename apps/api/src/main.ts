import 'reflect-metadata';
import { installAuditHook } from '@xinyuan/audit';
import { createHttpApp, listen } from '@xinyuan/common';
import { AppConfig, loadConfig } from '@xinyuan/config';
import { IdentityService, SessionRevocations } from '@xinyuan/identity';
import { observabilityFor } from '@xinyuan/observability';
import { ApiModule } from './api.module';
import { acceptImportFiles } from './imports/file-body';
import { IMPORT_ROLES } from './imports/imports.controller';
import { acceptOpen311Forms } from './open311/form-body';
import { installQueueBoard } from './queue-board/queue-board';
import { serveWebApps } from './web/web-apps';

export const API_DOCS = {
  title: '心愿 Xinyuan API',
  description: '志愿服务点单 → 派单 → 接单 → 评单。错误体 { statusCode, error, message, code, fields? }',
};

/** The one public HTTP entry: residents, volunteers, staff and admin. */
export async function bootstrap() {
  const observability = observabilityFor('api');
  const settings = loadConfig();
  const app = await createHttpApp(ApiModule, {
    ...API_DOCS, docs: true, rateLimit: true, ...observability,
    routeBodyLimits: [{ prefix: '/api/v1/regions', bytes: Math.max(settings.BODY_LIMIT_BYTES, settings.REGION_BODY_LIMIT_BYTES) }],
    // regions are written by admins only (POST, PATCH); files are imported by staff
    largeBodies: {
      routes: [{ prefix: '/api/v1/regions', roles: ['admin'] }, { prefix: '/api/v1/imports/', roles: IMPORT_ROLES }],
      liveSession: (app) => {
        const revocations = app.get(SessionRevocations);
        return (sessionId) => revocations.isLive(sessionId);
      },
    },
  });
  acceptOpen311Forms(app, settings.BODY_LIMIT_BYTES);
  acceptImportFiles(app);
  await installQueueBoard(app);
  installAuditHook(app);
  const config = app.get(AppConfig);
  await app.get(IdentityService).ensureAdmin(config.ADMIN_PHONE, config.ADMIN_PASSWORD);
  await serveWebApps(app, config);
  await listen(app, config.PORT ?? 3000, 'api');
  return app;
}

if (require.main === module) {
  bootstrap().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
