import type { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from './auth-user';
import type { SessionRevocations } from './session-revocations';

/** What a stream's source writes to it. */
export interface EventStreamSink {
  /** Writes one event (`data` as JSON); ignored once the stream has ended. */
  send(event: string, data: unknown, id?: string | number): void;
  /** Ends the stream with `event: end` (reason `shutdown`): the process is stopping, the client reconnects elsewhere. */
  shutdown(): void;
}

export interface SessionEventStreamOptions {
  user: AuthUser;
  revocations: SessionRevocations;
  heartbeatMs: number;
  logger: Logger;
  /** Said to the user (Chinese first) when the source cannot be subscribed. */
  unavailableMessage: string;
  /** Subscribes the stream to its source; answers the unsubscribe. */
  subscribe: (sink: EventStreamSink) => Promise<() => void>;
}

/**
 * Serves server-sent events over a hijacked Fastify reply, bound to the session that opened it: the
 * stream lives no longer than its access token, nor past a logout or a disabled account (checked at
 * every heartbeat). It ends with `event: end` + `{reason: expired|revoked|shutdown}` and the client
 * reconnects with a fresh token (or stops when signed out). `: ping` comments keep proxies and
 * browsers from closing an idle stream; `: ready` tells a client the subscription is in place.
 */
export async function serveSessionEventStream(request: FastifyRequest, reply: FastifyReply, options: SessionEventStreamOptions): Promise<void> {
  const { user } = options;
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.write('retry: 3000\n\n');
  let closed = false;
  let unsubscribe: (() => void) | null = null;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    if (expiry) clearTimeout(expiry);
    unsubscribe?.();
  };
  const end = (reason: 'expired' | 'revoked' | 'shutdown') => {
    if (!raw.writableEnded) raw.end(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
    close();
  };
  const heartbeat = setInterval(() => {
    if (raw.writableEnded) return;
    raw.write(': ping\n\n');
    if (user.sessionId) options.revocations.isRevoked(user.sessionId).then((revoked) => revoked && end('revoked'), () => undefined);
  }, options.heartbeatMs);
  const expiry = user.expiresAt ? setTimeout(() => end('expired'), Math.max(0, user.expiresAt - Date.now())) : null;
  request.raw.on('close', close);
  raw.on('close', close);
  const sink: EventStreamSink = {
    send: (event, data, id) => {
      if (!raw.writableEnded) raw.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    shutdown: () => end('shutdown'),
  };
  try {
    unsubscribe = await options.subscribe(sink);
    if (closed) unsubscribe();
    else if (!raw.writableEnded) raw.write(': ready\n\n');
  } catch (e) {
    options.logger.warn(`event stream failed: ${(e as Error).message}`);
    raw.write(`event: error\ndata: ${JSON.stringify({ code: 'INTERNAL_ERROR', message: options.unavailableMessage })}\n\n`);
    raw.end();
    close();
  }
}
