import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { WEBHOOK_EVENT_TYPES } from '@xinyuan/webhooks';

export class WebhookEndpointView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() url: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true }) events: string[];
  @ApiProperty({ enum: ['active', 'disabled'] }) status: string;
  @ApiProperty({ type: String, nullable: true, description: 'gone: the receiver answered 410' }) disabledReason: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) disabledAt: Date | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'events of orders in this region (null: all)' }) regionId: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'the previous secret signs too until then' }) previousSecretUntil: Date | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'integer' }, description: 'deliveries by status' }) counts?: Record<string, number>;
}

export class WebhookEndpointWithSecretView extends WebhookEndpointView {
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', description: 'shown once' }) secret: string;
}

export class WebhookEndpointListView {
  @ApiProperty({ type: [WebhookEndpointView] }) items: WebhookEndpointView[];
}

export class WebhookAttemptView {
  @ApiProperty() attempt: number;
  @ApiProperty({ type: String, format: 'date-time' }) startedAt: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt: Date | null;
  @ApiProperty({ type: Number, nullable: true }) statusCode: number | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'first 2 KB of the answer' }) responseExcerpt: string | null;
}

export class WebhookDeliveryView {
  @ApiProperty({ format: 'uuid', description: 'the webhook-id header of every attempt' }) id: string;
  @ApiProperty() eventId: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES }) eventType: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) orderId: string | null;
  @ApiProperty({ enum: ['pending', 'sending', 'delivered', 'dead', 'cancelled'] }) status: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: Number, nullable: true }) lastStatusCode: number | null;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAttemptAt: Date | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt: Date | null;
  @ApiProperty({ type: [WebhookAttemptView] }) history: WebhookAttemptView[];
}

export class WebhookDeliveryPage {
  @ApiProperty({ type: [WebhookDeliveryView] }) items: WebhookDeliveryView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
