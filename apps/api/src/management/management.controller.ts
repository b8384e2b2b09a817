import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsBoolean, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested,
} from 'class-validator';
import { uuidParam } from '@xinyuan/common';
import { LatLngDto } from '@xinyuan/geo';
import { AuthUser, CurrentUser, Roles } from '@xinyuan/identity';
import { OrgAdminService } from '@xinyuan/org';
import { ManagementQueries } from './management.queries';
import { TeamView } from '../org/org.views';
import { ServiceActiveState, ServiceHoursView, ServiceList, StaffList, TeamMemberList } from './management.views';

const SKILL = /^[a-z][a-z0-9_]{1,39}$/;

export class UpdateTeamDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100) name?: string;
  @ApiPropertyOptional({ type: LatLngDto, description: 'picked on the console map' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => LatLngDto) location?: LatLngDto;
  @ApiPropertyOptional({ minimum: 100 }) @IsOptional() @IsInt() @Min(100) serviceRadiusM?: number;
  @ApiPropertyOptional({ example: ['haircut'] })
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @Matches(SKILL, { each: true, message: 'each skill must be a snake_case id' })
  skills?: string[];
  @ApiPropertyOptional({ minimum: 0, maximum: 1000 }) @IsOptional() @IsInt() @Min(0) @Max(1000) capacity?: number;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
}

export class SetServiceActiveDto {
  @ApiProperty() @IsBoolean() active: boolean;
}

/** The console's management pages: lists and edits beyond the create endpoints of API.md. */
@ApiTags('organisation 组织')
@ApiBearerAuth()
@Controller('api/v1')
export class ManagementController {
  constructor(
    private readonly management: ManagementQueries,
    private readonly org: OrgAdminService,
  ) {}

  @Roles('admin')
  @Patch('teams/:id')
  @ApiOkResponse({ type: TeamView })
  @ApiOperation({ summary: 'Edit a team: location (picked on the map), radius, skills, capacity, active' })
  async updateTeam(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: UpdateTeamDto) {
    await this.management.updateTeam(user, id, dto);
    return this.org.getTeam(user, id);
  }

  @Roles('admin', 'dispatcher')
  @Get('teams/:id/members')
  @ApiOkResponse({ type: TeamMemberList })
  @ApiOperation({ summary: 'Members of a team (phones masked) with their service minutes' })
  members(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    return this.management.members(user, id);
  }

  @Roles('admin')
  @Get('staff')
  @ApiOkResponse({ type: StaffList })
  @ApiOperation({ summary: 'Dispatchers, admins and grid workers of the caller\'s jurisdiction (phones masked)' })
  staff(@CurrentUser() user: AuthUser) {
    return this.management.staff(user);
  }

  @Roles('admin', 'dispatcher')
  @Get('services/all')
  @ApiOkResponse({ type: ServiceList })
  @ApiOperation({ summary: 'The whole menu, inactive items included (staff)' })
  services() {
    return this.management.services();
  }

  @Roles('admin')
  @Patch('services/:code')
  @ApiOkResponse({ type: ServiceActiveState })
  @ApiOperation({ summary: 'Take a menu item off the menu or put it back' })
  async setServiceActive(@CurrentUser() user: AuthUser, @Param('code') code: string, @Body() dto: SetServiceActiveDto) {
    // the menu is county-wide: only county-wide admins change it (as for creating items)
    await this.org.requireCountyWide(user);
    return this.management.setServiceActive(code, dto.active);
  }

  @Get('me/service-hours')
  @ApiOkResponse({ type: ServiceHoursView })
  @ApiOperation({ summary: "The caller's volunteer service minutes: total, this month, recent orders" })
  serviceHours(@CurrentUser() user: AuthUser) {
    return this.management.serviceHours(user.id);
  }
}
