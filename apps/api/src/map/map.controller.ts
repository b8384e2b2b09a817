import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsNumber, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { AuthUser, CurrentUser, isStaff, Roles } from '@xinyuan/identity';
import { JurisdictionService, REGION_LEVELS, Scope } from '@xinyuan/org';
import { MapQueries } from './map.queries';
import { OrderFeatureCollection, RegionFeatureCollection, TeamFeatureCollection } from './map.views';

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
  ) {}

  /** Staff get the exact view of their jurisdiction; everyone else the coarse public view. */
  private async staffScope(user: AuthUser): Promise<Scope | null> {
    return isStaff(user) ? this.jurisdiction.staffScope(user) : null;
  }

  @Get('regions')
  @ApiOkResponse({ type: RegionFeatureCollection })
  @ApiOperation({ summary: 'Region boundaries as a GeoJSON FeatureCollection (any signed-in user)' })
  regions(@Query() query: RegionsQuery) {
    return this.map.regions({ level: query.level, parentId: query.parentId, tolerance: query.tolerance ?? 0.0002 });
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
