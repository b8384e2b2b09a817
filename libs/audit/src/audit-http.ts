import { createParamDecorator, ExecutionContext, Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AuthUser } from '@xinyuan/identity';
import { AuditLog, RequestMeta } from './audit-log';
import { clipUserAgent, describeRoute, objectIdOf, outcomeOf, shouldAuditRequest } from './audit-policy';

interface AuditableRequest {
  method: string;
  url: string;
  ip?: string;
  headers: Record<string, unknown>;
  params?: Record<string, unknown>;
  routeOptions?: { url?: string };
  user?: AuthUser;
}

export function requestMetaOf(request: AuditableRequest): RequestMeta {
  return { ip: request.ip ?? null, userAgent: clipUserAgent(request.headers['user-agent']) };
}

/** `@Meta() meta: RequestMeta`: the caller's IP and user agent, for audit rows written by use cases. */
export const Meta = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestMeta => requestMetaOf(ctx.switchToHttp().getRequest()));

function parseJson(payload: unknown): unknown {
  if (typeof payload !== 'string' || payload.length > 65536) return undefined;
  try {
    return JSON.parse(payload);
  } catch {
    return undefined;
  }
}

/**
 * Records every write (non-GET request) of a dispatcher, admin or grid worker — and every write to a
 * beneficiary profile — with its outcome, including the ones refused by the guard (403) or by
 * validation. Runs in Fastify's onSend, so the row is written after the action committed and before
 * the client hears of it; `recordReliably` retries and falls back to the log. Residents' requests
 * skip it after one array check, so it costs order intake nothing.
 */
export function installAuditHook(app: NestFastifyApplication): void {
  const audit = app.get(AuditLog);
  const logger = new Logger('AuditHook');
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (request: unknown, reply: { statusCode: number }, payload: unknown) => {
    const req = request as AuditableRequest;
    const user = req.user;
    const route = req.routeOptions?.url ?? req.url.split('?')[0];
    if (!user || !shouldAuditRequest(req.method, route, user.roles)) return payload;
    try {
      const status = reply.statusCode;
      const { action, objectType } = describeRoute(req.method, route);
      const body = parseJson(payload) as Record<string, unknown> | undefined;
      await audit.recordReliably({
        actor: { id: user.id, roles: user.roles, regionId: user.regionId },
        action,
        objectType,
        objectId: objectIdOf(req.params, status < 300 ? body : undefined),
        outcome: outcomeOf(status),
        statusCode: status,
        meta: requestMetaOf(req),
        data: { method: req.method, route, ...(status >= 400 && typeof body?.code === 'string' ? { code: body.code } : {}) },
      });
    } catch (e) {
      logger.error(`audit hook failed: ${e instanceof Error ? e.stack : String(e)}`);
    }
    return payload;
  });
}
