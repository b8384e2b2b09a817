import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LatLngDto } from '@xinyuan/geo';
import { ORDER_STATUS_ENUM } from '../orders/orders.views';
import { REGION_LEVEL_ENUM } from '../org/org.views';

/** GeoJSON shapes of the map layers (OpenAPI; the front ends' types are generated from them). */

export class GeoJsonGeometry {
  @ApiProperty({ example: 'Point', description: 'Point, Polygon or MultiPolygon' }) type: string;
  @ApiProperty({ description: 'GeoJSON coordinates ([lng, lat] for a point), nested by geometry type', type: 'array', items: {} })
  coordinates: unknown[];
}

export class RegionFeatureProperties {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty(REGION_LEVEL_ENUM) level: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) parentId: string | null;
}

export class RegionFeature {
  @ApiProperty({ enum: ['Feature'] }) type: 'Feature';
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: GeoJsonGeometry }) geometry: GeoJsonGeometry;
  @ApiProperty({ type: RegionFeatureProperties }) properties: RegionFeatureProperties;
}

export class RegionFeatureCollection {
  @ApiProperty({ enum: ['FeatureCollection'] }) type: 'FeatureCollection';
  @ApiProperty({ type: [RegionFeature] }) features: RegionFeature[];
}

/** Everyone sees name, region and skills (at a ~1 km cell); staff also capacity, load, members (exact point). */
export class TeamFeatureProperties {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'uuid' }) regionId: string;
  @ApiProperty() region: string;
  @ApiProperty({ type: [String] }) skills: string[];
  @ApiPropertyOptional({ description: 'staff only' }) serviceRadiusM?: number;
  @ApiPropertyOptional({ description: 'staff only' }) capacity?: number;
  @ApiPropertyOptional({ description: 'staff only' }) activeOrders?: number;
  @ApiPropertyOptional({ description: 'staff only' }) active?: boolean;
  @ApiPropertyOptional({ description: 'staff only' }) members?: number;
}

export class TeamFeature {
  @ApiProperty({ enum: ['Feature'] }) type: 'Feature';
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: GeoJsonGeometry }) geometry: GeoJsonGeometry;
  @ApiProperty({ type: TeamFeatureProperties }) properties: TeamFeatureProperties;
}

export class TeamFeatureCollection {
  @ApiProperty({ enum: ['FeatureCollection'] }) type: 'FeatureCollection';
  @ApiProperty({ type: [TeamFeature] }) features: TeamFeature[];
}

export class OrderFeatureProperties {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty(ORDER_STATUS_ENUM) status: string;
  @ApiProperty() urgent: boolean;
  @ApiProperty() serviceCode: string;
  @ApiProperty() serviceName: string;
  @ApiProperty({ description: 'menu group' }) group: string;
  @ApiProperty({ type: String, nullable: true }) area: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class OrderFeature {
  @ApiProperty({ enum: ['Feature'] }) type: 'Feature';
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: GeoJsonGeometry }) geometry: GeoJsonGeometry;
  @ApiProperty({ type: OrderFeatureProperties }) properties: OrderFeatureProperties;
}

export class OrderFeatureCollection {
  @ApiProperty({ enum: ['FeatureCollection'] }) type: 'FeatureCollection';
  @ApiProperty({ type: [OrderFeature] }) features: OrderFeature[];
}

export class MapHomeRegion {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty(REGION_LEVEL_ENUM) level: string;
}

/** Where a map picker opens for the caller: their own area, never the box around every region. */
export class MapHomeView {
  @ApiProperty({ enum: ['last_order', 'beneficiary', 'own_region', 'config', 'deployment', 'none'], description: 'what the area was found from' })
  source: string;
  @ApiProperty({ type: MapHomeRegion, nullable: true, description: 'the area to open on (a township, or the staff member\'s own region)' })
  region: MapHomeRegion | null;
  @ApiProperty({ type: [MapHomeRegion], description: 'the area and its ancestors, root first' }) path: MapHomeRegion[];
  @ApiProperty({ type: [Number], nullable: true, description: '[west, south, east, north] of the area (WGS84)', minItems: 4, maxItems: 4 })
  bbox: number[] | null;
  @ApiProperty({ type: LatLngDto, nullable: true, description: 'a resident\'s last order or profile location' }) point: LatLngDto | null;
}
