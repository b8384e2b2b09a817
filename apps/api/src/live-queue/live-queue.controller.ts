import { Controller, Get, Logger, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthUser, CurrentUser, Roles } from '@xinyuan/identity';
import { JurisdictionService } from '@xinyuan/org';
import { LiveQueueHub } from './live-queue.hub';
import { LiveQueueQueries, LiveQueueSnapshot, ScopedLiveQueueItem, scopeSnapshot } from './live-queue.queries';
import { LiveQueueSnapshotDto } from './live-queue.dto';

/** A comment line keeps proxies and browsers from closing an idle stream. */
const HEARTBEAT_MS = 15000;

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
  ) {}

  @Get('live-queue')
  @ApiOperation({ summary: 'Orders needing a person now: pending review, escalated, offers about to expire' })
  @ApiOkResponse({ type: LiveQueueSnapshotDto })
  async snapshot(@CurrentUser() user: AuthUser): Promise<LiveQueueSnapshot> {
    return scopeSnapshot(await this.queries.snapshot(), await this.jurisdiction.staffScope(user));
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
    const send = (snapshot: LiveQueueSnapshot<ScopedLiveQueueItem>) => {
      const mine = scopeSnapshot(snapshot, scope);
      // a change elsewhere in the county is no news to a township's console
      const key = JSON.stringify(mine.items);
      if (key === lastSent || raw.writableEnded) return;
      lastSent = key;
      raw.write(`id: ${++seq}\nevent: queue\ndata: ${JSON.stringify(mine)}\n\n`);
    };
    let unsubscribe: (() => void) | null = null;
    let closed = false;
    const heartbeat = setInterval(() => raw.writableEnded || raw.write(': ping\n\n'), HEARTBEAT_MS);
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe?.();
    };
    request.raw.on('close', close);
    raw.on('close', close);
    try {
      unsubscribe = await this.hub.subscribe(send, () => {
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
