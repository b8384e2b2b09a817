import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageOf } from '@xinyuan/common';
import { LatLngDto } from '@xinyuan/geo';
import { ORDER_STATUSES, OrderStatus } from '@xinyuan/orders';

/** Response shapes of the orders endpoints (OpenAPI; the front ends' types are generated from them). */

export const ORDER_STATUS_ENUM = { enum: ORDER_STATUSES, enumName: 'OrderStatus' } as const;

export class TimelineTeamRef {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
}

export class TimelineOfferRef {
  @ApiProperty({ format: 'uuid' }) offerId: string;
  @ApiProperty({ type: TimelineTeamRef }) team: TimelineTeamRef;
  @ApiPropertyOptional({ description: 'dispatch score that chose the team (automatic offers)' }) score?: number;
}

/** The facts of a timeline entry, for staff of the order's jurisdiction (teams named, distances, reasons). */
export class TimelineDetails {
  @ApiPropertyOptional({ type: TimelineTeamRef, description: 'the team the entry is about (assigned, accepted, declined, expired, withdrawn)' }) team?: TimelineTeamRef;
  @ApiPropertyOptional({ format: 'uuid' }) offerId?: string;
  @ApiPropertyOptional({ type: [TimelineOfferRef], description: 'automatic offers of this round (several in grab mode)' }) offers?: TimelineOfferRef[];
  @ApiPropertyOptional({ type: [TimelineOfferRef], description: 'pending offers a manual assign withdrew' }) withdrawnOffers?: TimelineOfferRef[];
  @ApiPropertyOptional({ enum: ['offer', 'grab'] }) mode?: 'offer' | 'grab';
  @ApiPropertyOptional({ description: 'jurisdiction searched: station, township, county, open' }) scope?: string;
  @ApiPropertyOptional({ description: 'widen: the scope searched before' }) scopeFrom?: string;
  @ApiPropertyOptional({ description: 'widen: the scope searched now' }) scopeTo?: string;
  @ApiPropertyOptional({ description: 'machine reason: no_candidate, attempts_exhausted (escalate), manual_assign (withdrawn)' }) reason?: string;
  @ApiPropertyOptional({ description: 'check-in: metres between the volunteer and the order\'s location' }) distanceFromOrderM?: number;
  @ApiPropertyOptional({ description: 'manual assign: the order lies beyond the team\'s own service radius' }) outsideServiceRadius?: boolean;
  @ApiPropertyOptional({ type: [String], description: 'manual assign: skills the team lacks, assigned anyway' }) missingSkills?: string[];
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'completion: minutes reported' }) minutes?: number | null;
  @ApiPropertyOptional({ description: 'completion: volunteers credited' }) volunteerCount?: number;
  @ApiPropertyOptional() stars?: number;
  @ApiPropertyOptional() solved?: boolean;
}

export class TimelineEntry {
  @ApiProperty({ example: 'placed', description: 'placed, approve, assign, offer, accept, decline, check_in, complete, rate, cancel, …' }) type: string;
  @ApiProperty({ ...ORDER_STATUS_ENUM, nullable: true }) fromStatus: OrderStatus | null;
  @ApiProperty({ ...ORDER_STATUS_ENUM, nullable: true }) toStatus: OrderStatus | null;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ example: 'resident' }) actorRole: string;
  @ApiProperty({ type: String, nullable: true }) note: string | null;
  @ApiPropertyOptional({ type: TimelineDetails, nullable: true, description: 'staff of the order\'s jurisdiction only; null when the entry has nothing more to say' })
  details?: TimelineDetails | null;
}

export class OrderTeamRef {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
}

/**
 * An order as its caller may see it. Exact location, address, phone and beneficiary only with full
 * visibility (the resident, staff of the jurisdiction, the team once it accepted); the timeline only
 * on the order's own page, for those.
 */
export class OrderView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty(ORDER_STATUS_ENUM) status: OrderStatus;
  @ApiProperty() version: number;
  @ApiProperty() urgent: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'jurisdiction dispatch is searching now: station → township → county' }) dispatchScope: string | null;
  @ApiProperty() serviceCode: string;
  @ApiProperty() serviceName: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: String, nullable: true, description: 'name of the order\'s region' }) area: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) regionId: string | null;
  @ApiProperty({ type: LatLngDto, description: '~1 km cell' }) coarseLocation: LatLngDto;
  @ApiPropertyOptional({ type: LatLngDto, description: 'full visibility only' }) location?: LatLngDto;
  @ApiPropertyOptional({ description: 'full visibility only' }) address?: string;
  @ApiPropertyOptional({ description: 'full visibility only; masked in lists' }) contactPhone?: string;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'full visibility only' }) beneficiaryId?: string | null;
  @ApiPropertyOptional({ description: 'placed on the beneficiary\'s behalf (代点单); full visibility only' }) onBehalf?: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) preferredStart: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) preferredEnd: string | null;
  @ApiProperty({ type: OrderTeamRef, nullable: true, description: 'once a team accepted' }) team: OrderTeamRef | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiPropertyOptional({ type: [TimelineEntry], description: 'GET /orders/:id and commands, full visibility only' }) timeline?: TimelineEntry[];
}

export const OrderPage = PageOf(OrderView);
