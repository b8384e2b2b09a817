import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsNumber, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { AuthUser, CurrentUser, isStaff, Roles } from '@xinyuan/identity';
import { ALL_SCOPE, JurisdictionService, REGION_LEVELS, Scope } from '@xinyuan/org';
import { MapHomeFinder } from './map-home';
import { MapQueries } from './map.queries';
import { MapHomeView, OrderFeatureCollection, RegionFeatureCollection, TeamFeatureCollection } from './map.views';

class RegionsQuery {
  @ApiPropertyOptional({ enum: REGION_LEVELS }) @IsOptional() @IsIn(REGION_LEVELS as unknown as string[]) level?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() parentId?: string;
  @ApiPropertyOptional({ description: 'simplification tolerance in degrees', default: 0.0002, minimum: 0, maximum: 0.05 })
  @IsOptional() @Type(() => Number) @IsNumber() @Min(0) @Max(0.05) tolerance?: number;
}

/** GeoJSON from our own PostGIS data: maps work with no internet tiles. */
@ApiTags('map 地图')
@ApiBearerAuth()
@Controller('api/v1/map')
export class MapController {
  constructor(
    private readonly map: MapQueries,
    private readonly jurisdiction: JurisdictionService,
    private readonly home: MapHomeFinder,
  ) {}

  /** Staff get the exact view of their jurisdiction; everyone else the coarse public view. */
  private async staffScope(user: AuthUser): Promise<Scope | null> {
    return isStaff(user) ? this.jurisdiction.staffScope(user) : null;
  }

  /**
   * The regions a person's maps draw: staff their jurisdiction, a grid worker their grid, everyone
   * else the service area (every region with a boundary: where orders are taken).
   */
  private async regionScope(user: AuthUser): Promise<Scope> {
    if (isStaff(user)) return this.jurisdiction.staffScope(user);
    if (user.roles.includes('grid_worker')) return this.jurisdiction.gridScope(user);
    return ALL_SCOPE;
  }

  @Get('regions')
  @ApiOkResponse({ type: RegionFeatureCollection })
  @ApiOperation({ summary: 'Region boundaries as a GeoJSON FeatureCollection: staff their jurisdiction, grid workers their grid, others the service area' })
  async regions(@CurrentUser() user: AuthUser, @Query() query: RegionsQuery) {
    return this.map.regions({ level: query.level, parentId: query.parentId, tolerance: query.tolerance ?? 0.0002 }, await this.regionScope(user));
  }

  @Get('home')
  @ApiOkResponse({ type: MapHomeView })
  @ApiOperation({ summary: "Where the caller's map pickers open: their last order's or profile's township, their own region (staff), or the deployment's home region" })
  mapHome(@CurrentUser() user: AuthUser) {
    return this.home.find(user);
  }

  @Get('teams')
  @ApiOkResponse({ type: TeamFeatureCollection })
  @ApiOperation({ summary: 'Teams as GeoJSON points: exact with capacity and load for staff, ~1 km cells for others' })
  async teams(@CurrentUser() user: AuthUser) {
    return this.map.teams(await this.staffScope(user));
  }

  @Get('orders')
  @ApiOkResponse({ type: OrderFeatureCollection })
  @Roles('dispatcher', 'admin')
  @ApiOperation({ summary: 'Open orders of the caller\'s jurisdiction as GeoJSON points (staff only: where help is wanted is itself sensitive)' })
  async orders(@CurrentUser() user: AuthUser) {
    return this.map.openOrders(await this.jurisdiction.staffScope(user));
  }
}
