import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageOf } from '@xinyuan/common';
import { LatLngDto } from '@xinyuan/geo';
import { ORDER_STATUSES, OrderStatus } from '@xinyuan/orders';

/** Response shapes of the orders endpoints (OpenAPI; the front ends' types are generated from them). */

export const ORDER_STATUS_ENUM = { enum: ORDER_STATUSES, enumName: 'OrderStatus' } as const;

export class TimelineEntry {
  @ApiProperty({ example: 'placed', description: 'placed, approve, assign, offer, accept, decline, check_in, complete, rate, cancel, …' }) type: string;
  @ApiProperty({ ...ORDER_STATUS_ENUM, nullable: true }) fromStatus: OrderStatus | null;
  @ApiProperty({ ...ORDER_STATUS_ENUM, nullable: true }) toStatus: OrderStatus | null;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ example: 'resident' }) actorRole: string;
  @ApiProperty({ type: String, nullable: true }) note: string | null;
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
