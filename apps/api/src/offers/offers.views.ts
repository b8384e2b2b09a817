import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageOf } from '@xinyuan/common';
import { OFFER_STATUSES, OfferStatus } from '@xinyuan/dispatch';
import { LatLngDto } from '@xinyuan/geo';
import { ORDER_STATUS_ENUM } from '../orders/orders.views';

/** Response shapes of 接单 (OpenAPI; the front ends' types are generated from them). */

const OFFER_STATUS_ENUM = { enum: OFFER_STATUSES, enumName: 'OfferStatus' } as const;

/** What a team sees of the order: never the exact address, location or phone; once the offer is no longer pending, the service only. */
export class OfferOrderSummary {
  @ApiProperty() serviceCode: string;
  @ApiProperty() serviceName: string;
  @ApiPropertyOptional({ description: 'pending offers only' }) description?: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'pending offers only' }) area?: string | null;
  @ApiPropertyOptional({ type: LatLngDto, description: '~1 km cell; pending offers only' }) coarseLocation?: LatLngDto;
  @ApiPropertyOptional({ ...ORDER_STATUS_ENUM, description: 'pending offers only' }) status?: string;
  @ApiPropertyOptional({ description: 'pending offers only' }) urgent?: boolean;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'when the resident would like the team to come; null: any time; pending offers only' }) preferredStart?: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'pending offers only' }) preferredEnd?: string | null;
}

/** Why the team was offered the order, as the team sees it: no proximity part, the distance to the kilometre. */
export class TeamScoreSummary {
  @ApiProperty({ enum: ['weighted-v2', 'manual', 'batch'] }) strategy: string;
  @ApiProperty({ description: 'distance from the team\'s base, rounded to the kilometre' }) distanceKm: number;
  @ApiProperty() skillCoverage: number;
  @ApiProperty() spareCapacity: number;
  @ApiProperty() reputation: number;
  @ApiProperty() continuity: number;
  @ApiProperty() fairness: number;
  @ApiProperty() jurisdiction: number;
  @ApiProperty({ enum: ['station', 'township', 'county', 'outside'] }) jurisdictionLevel: string;
  @ApiProperty() recentOffers: number;
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
  @ApiProperty({ type: Number, nullable: true, description: 'pending offers only: the score without its proximity part' }) score: number | null;
  @ApiProperty({ type: TeamScoreSummary, nullable: true, description: 'pending offers only' }) scoreBreakdown: TeamScoreSummary | null;
  @ApiProperty({ type: OfferOrderSummary }) order: OfferOrderSummary;
}

export const OfferPage = PageOf(OfferView);

export class DeclinedOffer {
  @ApiProperty({ format: 'uuid' }) offerId: string;
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty({ enum: ['declined'] }) status: 'declined';
}
