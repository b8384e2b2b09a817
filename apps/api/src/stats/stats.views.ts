import { ApiProperty } from '@nestjs/swagger';
import { ORDER_STATUS_ENUM } from '../orders/orders.views';

/** Response shapes of the dashboard (OpenAPI; the front ends' types are generated from them). */

export class DashboardTotals {
  @ApiProperty() orders: number;
  @ApiProperty({ description: 'completed or closed' }) completed: number;
  @ApiProperty() cancelled: number;
  @ApiProperty({ description: 'neither finished, cancelled nor rejected' }) open: number;
}

export class OrdersPerDayRow {
  @ApiProperty({ example: '2026-11-24', description: 'day of placing, in the dashboard\'s time zone' }) day: string;
  @ApiProperty(ORDER_STATUS_ENUM) status: string;
  @ApiProperty() count: number;
}

export class ByGroupRow {
  @ApiProperty({ description: 'menu group' }) group: string;
  @ApiProperty() orders: number;
  @ApiProperty() completed: number;
  @ApiProperty() cancelled: number;
}

export class Percentiles {
  @ApiProperty() count: number;
  @ApiProperty({ type: Number, nullable: true }) medianSeconds: number | null;
  @ApiProperty({ type: Number, nullable: true }) p90Seconds: number | null;
}

export class StarCounts {
  @ApiProperty() '1': number;
  @ApiProperty() '2': number;
  @ApiProperty() '3': number;
  @ApiProperty() '4': number;
  @ApiProperty() '5': number;
}

export class Satisfaction {
  @ApiProperty() ratings: number;
  @ApiProperty({ type: Number, nullable: true }) averageStars: number | null;
  @ApiProperty({ type: Number, nullable: true, description: '0..1' }) solvedRate: number | null;
  @ApiProperty({ type: StarCounts, description: 'ratings per number of stars' }) stars: StarCounts;
}

export class VolunteerMinutes {
  @ApiProperty() total: number;
  @ApiProperty() orders: number;
  @ApiProperty() volunteers: number;
}

export class PerRegionRow {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null: orders outside every region' }) regionId: string | null;
  @ApiProperty() region: string;
  @ApiProperty() orders: number;
  @ApiProperty() completed: number;
  @ApiProperty() cancelled: number;
  @ApiProperty({ type: Number, nullable: true }) medianAcceptSeconds: number | null;
  @ApiProperty({ type: Number, nullable: true }) p90AcceptSeconds: number | null;
  @ApiProperty({ type: Number, nullable: true }) medianCompleteSeconds: number | null;
  @ApiProperty({ type: Number, nullable: true }) p90CompleteSeconds: number | null;
  @ApiProperty({ type: Number, nullable: true }) averageStars: number | null;
  @ApiProperty() volunteerMinutes: number;
}

export class Dashboard {
  @ApiProperty({ example: '2026-11-01' }) from: string;
  @ApiProperty({ example: '2026-11-30' }) to: string;
  @ApiProperty({ example: 'Asia/Shanghai' }) timeZone: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) regionId: string | null;
  @ApiProperty({ type: DashboardTotals }) totals: DashboardTotals;
  @ApiProperty({ type: [OrdersPerDayRow] }) ordersPerDay: OrdersPerDayRow[];
  @ApiProperty({ type: [ByGroupRow] }) byGroup: ByGroupRow[];
  @ApiProperty({ type: Percentiles }) timeToAccept: Percentiles;
  @ApiProperty({ type: Percentiles }) timeToComplete: Percentiles;
  @ApiProperty({ type: Satisfaction }) satisfaction: Satisfaction;
  @ApiProperty({ type: VolunteerMinutes }) volunteerMinutes: VolunteerMinutes;
  @ApiProperty({ type: [PerRegionRow] }) perRegion: PerRegionRow[];
}
