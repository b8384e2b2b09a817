import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { pageLimit, uuidParam } from '@xinyuan/common';
import { AuthUser, CurrentUser, Roles } from '@xinyuan/identity';
import { WebhookEndpoints } from '@xinyuan/webhooks';
import { CreateWebhookDto, RotateWebhookSecretDto, WebhookDeliveriesQuery } from './webhooks.dto';
import { WebhookDeliveryPage, WebhookDeliveryView, WebhookEndpointListView, WebhookEndpointView, WebhookEndpointWithSecretView } from './webhooks.views';

/**
 * Signed webhooks (Standard Webhooks v1) for admins: register a receiver per event type, read its
 * delivery log, rotate its secret, delete it. Endpoints of another jurisdiction answer 404.
 */
@ApiTags('webhooks 事件推送')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/v1/webhooks')
export class WebhooksController {
  constructor(private readonly endpoints: WebhookEndpoints) {}

  @Post()
  @ApiOperation({ summary: 'Register a receiver; the secret (whsec_…) is shown once' })
  @ApiCreatedResponse({ type: WebhookEndpointWithSecretView })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateWebhookDto) {
    return this.endpoints.create(user, dto);
  }

  @Get()
  @ApiOkResponse({ type: WebhookEndpointListView })
  list(@CurrentUser() user: AuthUser) {
    return this.endpoints.list(user);
  }

  @Get(':id')
  @ApiOkResponse({ type: WebhookEndpointView })
  get(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    return this.endpoints.view(user, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'The delivery log: every event sent to this receiver, its attempts and answers, newest first' })
  @ApiOkResponse({ type: WebhookDeliveryPage })
  deliveries(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Query() query: WebhookDeliveriesQuery) {
    return this.endpoints.deliveries(user, id, { limit: pageLimit(query), cursor: query.cursor, status: query.status });
  }

  @Post(':id/deliveries/:deliveryId/resend')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a dead, cancelled or failed delivery once more, now (same webhook-id); 409 WEBHOOK_NOT_RESENDABLE for a delivered or waiting one, WEBHOOK_DISABLED while the receiver is off' })
  @ApiOkResponse({ type: WebhookDeliveryView })
  resend(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Param('deliveryId', uuidParam()) deliveryId: string) {
    return this.endpoints.resend(user, id, deliveryId);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new secret (shown once); the old one signs too during the overlap' })
  @ApiOkResponse({ type: WebhookEndpointWithSecretView })
  rotate(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: RotateWebhookSecretDto) {
    return this.endpoints.rotateSecret(user, id, dto.overlapHours ?? 24);
  }

  @Post(':id/enable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Turn a disabled receiver (it answered 410) back on' })
  @ApiOkResponse({ type: WebhookEndpointView })
  enable(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    return this.endpoints.enable(user, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'deleted; waiting deliveries are cancelled, the log stays' })
  async remove(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string): Promise<void> {
    await this.endpoints.remove(user, id);
  }
}
