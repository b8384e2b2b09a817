import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '@xinyuan/common';
import { OFFER_STATUSES, OfferStatus } from '@xinyuan/dispatch';
import { LatLngDto } from '@xinyuan/geo';
import { ScoreBreakdown } from '../dispatch/dispatch.views';
import { ORDER_STATUS_ENUM } from '../orders/orders.views';

/** Response shapes of 接单 (OpenAPI; the front ends' types are generated from them). */

const OFFER_STATUS_ENUM = { enum: OFFER_STATUSES, enumName: 'OfferStatus' } as const;

/** What a team sees of the order: never the exact address, location or phone. */
export class OfferOrderSummary {
  @ApiProperty() serviceCode: string;
  @ApiProperty() serviceName: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: String, nullable: true }) area: string | null;
  @ApiProperty({ type: LatLngDto, description: '~1 km cell' }) coarseLocation: LatLngDto;
  @ApiProperty(ORDER_STATUS_ENUM) status: string;
  @ApiProperty() urgent: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'when the resident would like the team to come; null: any time' }) preferredStart: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) preferredEnd: string | null;
}

export class OfferView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty({ format: 'uuid' }) teamId: string;
  @ApiProperty() teamName: string;
  @ApiProperty(OFFER_STATUS_ENUM) status: OfferStatus;
  @ApiProperty({ enum: ['auto', 'manual'] }) source: 'auto' | 'manual';
  @ApiProperty({ enum: ['offer', 'grab'], description: 'grab: offered to several teams at once, first to accept gets it' }) mode: 'offer' | 'grab';
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty() score: number;
  @ApiProperty({ type: ScoreBreakdown }) scoreBreakdown: ScoreBreakdown;
  @ApiProperty({ type: OfferOrderSummary }) order: OfferOrderSummary;
}

export const OfferPage = PageOf(OfferView);

export class DeclinedOffer {
  @ApiProperty({ format: 'uuid' }) offerId: string;
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty({ enum: ['declined'] }) status: 'declined';
}
