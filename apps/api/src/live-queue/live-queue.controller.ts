import { Controller, Get, Logger, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthUser, CurrentUser, Roles, SessionRevocations } from '@xinyuan/identity';
import { AppConfig } from '@xinyuan/config';
import { JurisdictionService } from '@xinyuan/org';
import { LiveQueueHub } from './live-queue.hub';
import { LiveQueueQueries, LiveQueueSnapshot } from './live-queue.queries';
import { LiveQueueSnapshotDto } from './live-queue.dto';

/** 派单 console: the orders that need a person, once or as a live stream. */
@ApiTags('dispatch 派单')
@ApiBearerAuth()
@Roles('dispatcher', 'admin')
@Controller('api/v1/dispatch')
export class LiveQueueController {
  private readonly logger = new Logger(LiveQueueController.name);

  constructor(
    private readonly queries: LiveQueueQueries,
    private readonly hub: LiveQueueHub,
    private readonly jurisdiction: JurisdictionService,
    private readonly revocations: SessionRevocations,
    private readonly config: AppConfig,
  ) {}

  @Get('live-queue')
  @ApiOperation({ summary: 'Orders needing a person now: pending review, escalated, offers about to expire' })
  @ApiOkResponse({ type: LiveQueueSnapshotDto })
  async snapshot(@CurrentUser() user: AuthUser): Promise<LiveQueueSnapshot> {
    return this.queries.snapshot(await this.jurisdiction.staffScope(user));
  }

  @Get('live-queue/stream')
  @ApiOperation({
    summary: 'Server-sent events: `event: queue` with the whole live queue (same body as GET live-queue), at once and after every change',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'an endless stream: `event: queue` + `data:` a LiveQueueSnapshotDto as JSON; `: ping` comments every 15 s; `event: error` before the server closes it',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  async stream(@CurrentUser() user: AuthUser, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const scope = await this.jurisdiction.staffScope(user);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 3000\n\n');
    let seq = 0;
    let lastSent = '';
    const send = (mine: LiveQueueSnapshot) => {
      // a change elsewhere in the county is no news to a township's console
      const key = JSON.stringify(mine.items);
      if (key === lastSent || raw.writableEnded) return;
      lastSent = key;
      raw.write(`id: ${++seq}\nevent: queue\ndata: ${JSON.stringify(mine)}\n\n`);
    };
    let unsubscribe: (() => void) | null = null;
    let closed = false;
    // a stream lives no longer than the token that opened it, nor past a logout or a disabled account:
    // it ends with `event: end` and the console reconnects with a fresh token (or stops when signed out)
    const end = (reason: 'expired' | 'revoked') => {
      if (!raw.writableEnded) raw.end(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
      close();
    };
    const heartbeat = setInterval(() => {
      if (raw.writableEnded) return;
      raw.write(': ping\n\n'); // keeps proxies and browsers from closing an idle stream
      if (user.sessionId) {
        this.revocations.isRevoked(user.sessionId).then((revoked) => revoked && end('revoked'), () => undefined);
      }
    }, this.config.LIVE_QUEUE_HEARTBEAT_MS);
    const expiry = user.expiresAt ? setTimeout(() => end('expired'), Math.max(0, user.expiresAt - Date.now())) : null;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      if (expiry) clearTimeout(expiry);
      unsubscribe?.();
    };
    request.raw.on('close', close);
    raw.on('close', close);
    try {
      unsubscribe = await this.hub.subscribe(scope, send, () => {
        if (!raw.writableEnded) raw.end();
        close();
      });
      if (closed) unsubscribe();
    } catch (e) {
      this.logger.warn(`live queue stream failed: ${(e as Error).message}`);
      raw.write(`event: error\ndata: ${JSON.stringify({ code: 'INTERNAL_ERROR', message: '实时队列暂不可用' })}\n\n`);
      raw.end();
      close();
    }
  }
}
