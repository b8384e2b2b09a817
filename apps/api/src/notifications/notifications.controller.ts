import { Body, Controller, Get, Headers, HttpCode, Logger, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { DomainException, ErrorCode, pageLimit, uuidParam } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { AuthUser, CurrentUser, Public, Roles, serveSessionEventStream, SessionRevocations } from '@xinyuan/identity';
import {
  DeliveryLog, InboxService, NotificationPreferences, NotifySettings, SIGNATURE_HEADER, SmsCallbacks, TIMESTAMP_HEADER,
} from '@xinyuan/notifications';
import { JurisdictionService } from '@xinyuan/org';
import { InboxHub } from './inbox.hub';
import { InboxQuery, NotificationSettingsDto, SmsInboundDto, SmsReportsDto, WeChatConsentDto } from './notifications.dto';
import {
  CallbackAnswerView, DeadLetterPage, DeliveryLogItemView, DeliveryLogView, NotificationPage, NotificationSettingsView, NotificationView, ReadAllView,
  WeChatGrantsView,
} from './notifications.views';
import { SmsRepliesUseCase } from './sms-replies.use-case';

/** Every user's inbox (list, read, live stream) and notification settings. */
@ApiTags('notifications 通知')
@ApiBearerAuth()
@Controller('api/v1/me')
export class InboxController {
  private readonly logger = new Logger(InboxController.name);

  constructor(
    private readonly inbox: InboxService,
    private readonly hub: InboxHub,
    private readonly preferences: NotificationPreferences,
    private readonly settings: NotifySettings,
    private readonly revocations: SessionRevocations,
    private readonly config: AppConfig,
  ) {}

  @Get('notifications')
  @ApiOperation({ summary: 'My inbox, newest first, with the unread count' })
  @ApiOkResponse({ type: NotificationPage })
  list(@CurrentUser() user: AuthUser, @Query() query: InboxQuery) {
    return this.inbox.list(user.id, { unread: query.unread, limit: pageLimit(query), cursor: query.cursor });
  }

  @Post('notifications/read-all')
  @HttpCode(200)
  @ApiOkResponse({ type: ReadAllView })
  readAll(@CurrentUser() user: AuthUser) {
    return this.inbox.markAllRead(user.id);
  }

  @Post('notifications/:id/read')
  @HttpCode(200)
  @ApiOkResponse({ type: NotificationView, description: 'the entry, read' })
  read(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    return this.inbox.markRead(user.id, id);
  }

  @Get('notifications/stream')
  @ApiOperation({ summary: 'Server-sent events: `event: notification` for each new entry of my inbox' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'an endless stream: `event: notification` + `data:` a NotificationView as JSON; `: ping` comments; `event: end` before the server closes it',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  async stream(@CurrentUser() user: AuthUser, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await serveSessionEventStream(request, reply, {
      user,
      revocations: this.revocations,
      heartbeatMs: this.config.LIVE_QUEUE_HEARTBEAT_MS,
      logger: this.logger,
      unavailableMessage: '消息推送暂不可用',
      subscribe: (sink) => this.hub.subscribe(user.id, (item) => sink.send('notification', item, item.id), sink.shutdown),
    });
  }

  @Get('notification-settings')
  @ApiOkResponse({ type: NotificationSettingsView })
  getSettings(@CurrentUser() user: AuthUser) {
    return this.preferences.get(user.id);
  }

  @Put('notification-settings')
  @ApiOperation({ summary: 'Channels, muted types, quiet hours (null: none), time zone, language' })
  @ApiOkResponse({ type: NotificationSettingsView })
  putSettings(@CurrentUser() user: AuthUser, @Body() dto: NotificationSettingsDto) {
    return this.preferences.update(user.id, dto);
  }

  @Post('wechat-subscriptions')
  @HttpCode(200)
  @ApiOperation({ summary: 'What wx.requestSubscribeMessage answered: each accepted template grants one message' })
  @ApiOkResponse({ type: WeChatGrantsView })
  async wechatConsent(@CurrentUser() user: AuthUser, @Body() dto: WeChatConsentDto) {
    const results = Object.fromEntries(Object.entries(dto.results ?? {}).filter(([k, v]) => typeof k === 'string' && typeof v === 'string').slice(0, 20)) as Record<string, string>;
    const known = new Set(Object.values(this.settings.wechatTemplateIds()));
    return { items: await this.preferences.recordWeChatConsent(user.id, results, known) };
  }
}

/** Staff: what was sent about an order, the dead letters of the jurisdiction; the SMS provider's signed callbacks. */
@ApiTags('notifications 通知')
@Controller('api/v1')
export class NotificationOpsController {
  constructor(
    private readonly log: DeliveryLog,
    private readonly callbacks: SmsCallbacks,
    private readonly replies: SmsRepliesUseCase,
    private readonly jurisdiction: JurisdictionService,
    private readonly dataSource: DataSource,
  ) {}

  @Get('orders/:id/notifications')
  @ApiBearerAuth()
  @Roles('dispatcher', 'admin')
  @ApiOperation({ summary: 'Who was told what about the order, by which channel, when, and what became of it (masked numbers)' })
  @ApiOkResponse({ type: DeliveryLogView })
  async forOrder(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    const [order] = await this.dataSource.query(`SELECT region_id FROM orders WHERE id = $1`, [id]);
    if (!order || !(await this.jurisdiction.staffCovers(user, order.region_id))) throw DomainException.notFound(ErrorCode.OrderNotFound);
    return { items: await this.log.forOrder(id) };
  }

  @Get('notifications/dead-letters')
  @ApiBearerAuth()
  @Roles('dispatcher', 'admin')
  @ApiOperation({ summary: 'Messages that used up their attempts, newest first (orders of the jurisdiction)' })
  @ApiOkResponse({ type: DeadLetterPage })
  deadLetters(@CurrentUser() user: AuthUser, @Query() query: InboxQuery) {
    return this.log.deadLetters(user, { limit: pageLimit(query), cursor: query.cursor });
  }

  @Post('notifications/deliveries/:id/retry')
  @HttpCode(200)
  @ApiBearerAuth()
  @Roles('admin')
  @ApiOperation({ summary: 'Send a dead letter once more (same idempotency key)' })
  @ApiOkResponse({ type: DeliveryLogItemView })
  retry(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    return this.log.retry(user, id);
  }

  @Public()
  @Post('notifications/sms/reports')
  @HttpCode(200)
  @ApiHeader({ name: TIMESTAMP_HEADER, description: 'unix seconds' })
  @ApiHeader({ name: SIGNATURE_HEADER, description: 'v1=<hex HMAC-SHA256 of "{timestamp}.{body}" keyed by SMS_CALLBACK_SECRET>' })
  @ApiOperation({ summary: 'SMS provider: delivery reports (signed)' })
  @ApiOkResponse({ type: CallbackAnswerView })
  async reports(@Req() req: FastifyRequest, @Headers(TIMESTAMP_HEADER) ts: string, @Headers(SIGNATURE_HEADER) sig: string, @Body() dto: SmsReportsDto) {
    this.callbacks.verify((req as unknown as { rawBody?: string }).rawBody, ts, sig);
    const { recorded } = await this.callbacks.recordReports(dto.reports);
    return { ok: true, recorded };
  }

  @Public()
  @Post('notifications/sms/inbound')
  @HttpCode(200)
  @ApiHeader({ name: TIMESTAMP_HEADER, description: 'unix seconds' })
  @ApiHeader({ name: SIGNATURE_HEADER, description: 'v1=<hex HMAC-SHA256 of "{timestamp}.{body}" keyed by SMS_CALLBACK_SECRET>' })
  @ApiOperation({ summary: 'SMS provider: a reply from a phone (signed); 1 accepts, 2 declines the offer the person was texted' })
  @ApiOkResponse({ type: CallbackAnswerView })
  async inbound(@Req() req: FastifyRequest, @Headers(TIMESTAMP_HEADER) ts: string, @Headers(SIGNATURE_HEADER) sig: string, @Body() dto: SmsInboundDto) {
    this.callbacks.verify((req as unknown as { rawBody?: string }).rawBody, ts, sig);
    return { ok: true, result: await this.replies.handle(dto) };
  }
}
