import { Controller, Get, Logger, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthUser, CurrentUser, Roles, serveSessionEventStream, SessionRevocations } from '@xinyuan/identity';
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
    let seq = 0;
    let lastSent = '';
    await serveSessionEventStream(request, reply, {
      user,
      revocations: this.revocations,
      heartbeatMs: this.config.LIVE_QUEUE_HEARTBEAT_MS,
      logger: this.logger,
      unavailableMessage: '实时队列暂不可用',
      subscribe: (sink) =>
        this.hub.subscribe(
          scope,
          (mine) => {
            // a change elsewhere in the county is no news to a township's console
            const key = JSON.stringify(mine.items);
            if (key === lastSent) return;
            lastSent = key;
            sink.send('queue', mine, ++seq);
          },
          sink.shutdown,
        ),
    });
  }
}
