import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { JwtService } from '@nestjs/jwt';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessTokenPayload, SessionRevocations } from '@xinyuan/identity';
import { DispatchQueue } from '@xinyuan/queue';

export const QUEUE_BOARD_PATH = '/admin/queues';
export const QUEUE_BOARD_COOKIE = 'xinyuan_board';

/**
 * Bull Board (queue inspection) for admins, at /admin/queues. A browser cannot put the console's
 * bearer token on a page load, so the console first calls `POST /api/v1/admin/queue-board/session`
 * with it, which answers with an HttpOnly, SameSite=Strict cookie scoped to this path holding the
 * same access token; every request under the path is checked like a bearer: signature, expiry,
 * session not revoked, role admin. Anyone else gets a plain 404.
 */
export async function installQueueBoard(app: NestFastifyApplication): Promise<void> {
  const queue = app.get(DispatchQueue);
  const jwt = app.get(JwtService);
  const revocations = app.get(SessionRevocations);
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: [new BullMQAdapter(queue.dispatch, { readOnlyMode: false }), new BullMQAdapter(queue.maintenance, { readOnlyMode: true })],
    serverAdapter,
    options: { uiConfig: { boardTitle: '心愿 队列' } },
  });
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(async (scope) => {
    scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (!(await isAdmin(cookieOf(request.headers.cookie, QUEUE_BOARD_COOKIE), jwt, revocations))) {
        return reply.status(404).send({ statusCode: 404, error: 'Not Found', message: '未找到', code: 'NOT_FOUND' });
      }
      // the board is a small single-page app of its own: scripts and styles from this origin only
      reply.header(
        'Content-Security-Policy',
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
      );
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
  });
}

export function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

async function isAdmin(token: string | undefined, jwt: JwtService, revocations: SessionRevocations): Promise<boolean> {
  if (!token) return false;
  try {
    const payload = await jwt.verifyAsync<AccessTokenPayload>(token);
    if (!Array.isArray(payload.roles) || !payload.roles.includes('admin') || typeof payload.sid !== 'string') return false;
    return revocations.isLive(payload.sid);
  } catch {
    return false;
  }
}
