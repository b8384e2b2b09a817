import { ApiProperty } from '@nestjs/swagger';
import { ORDER_STATUS_ENUM } from '../orders/orders.views';

/** OpenAPI shapes of the live queue (the typed client is generated from them). */
export class LiveQueueOfferDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) teamId: string;
  @ApiProperty() teamName: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
}

export class LiveQueueItemDto {
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty({ enum: ['pending_review', 'escalated', 'expiring'] }) reason: 'pending_review' | 'escalated' | 'expiring';
  @ApiProperty(ORDER_STATUS_ENUM) status: string;
  @ApiProperty() urgent: boolean;
  @ApiProperty() serviceCode: string;
  @ApiProperty() serviceName: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: String, nullable: true }) area: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) regionId: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) waitingSince: string;
  @ApiProperty({ type: String, nullable: true }) lastNote: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'when the resident would like the team to come; null: any time' }) preferredStart: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) preferredEnd: string | null;
  @ApiProperty({ type: LiveQueueOfferDto, nullable: true, description: 'expiring only: the offer about to lapse' }) offer: LiveQueueOfferDto | null;
}

export class LiveQueueSnapshotDto {
  @ApiProperty({ format: 'date-time' }) serverTime: string;
  @ApiProperty() expiringWithinSeconds: number;
  @ApiProperty({ type: [LiveQueueItemDto] }) items: LiveQueueItemDto[];
}
