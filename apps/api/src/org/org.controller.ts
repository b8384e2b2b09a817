import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { PageQuery, pageLimit, uuidParam } from '@xinyuan/common';
import { AuthUser, CurrentUser, Roles } from '@xinyuan/identity';
import { OrgAdminService } from '@xinyuan/org';
import { AddMemberDto, CreateRegionDto, CreateStaffDto, CreateTeamDto } from './org.dto';

class ListTeamsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'only teams under this region (of your jurisdiction)' }) @IsOptional() @IsUUID() regionId?: string;
}

/** Regions, teams and staff, each inside the caller's jurisdiction (a region subtree). */
@ApiTags('organisation 组织')
@ApiBearerAuth()
@Controller('api/v1')
export class OrgController {
  constructor(private readonly org: OrgAdminService) {}

  @Roles('admin')
  @Post('regions')
  createRegion(@CurrentUser() user: AuthUser, @Body() dto: CreateRegionDto) {
    return this.org.createRegion(user, dto);
  }

  @Roles('admin', 'dispatcher')
  @Get('regions')
  listRegions(@CurrentUser() user: AuthUser, @Query() query: PageQuery) {
    return this.org.listRegions(user, pageLimit(query), query.cursor);
  }

  @Roles('admin')
  @Post('teams')
  createTeam(@CurrentUser() user: AuthUser, @Body() dto: CreateTeamDto) {
    return this.org.createTeam(user, dto);
  }

  @Roles('admin', 'dispatcher')
  @Get('teams')
  listTeams(@CurrentUser() user: AuthUser, @Query() query: ListTeamsQuery) {
    return this.org.listTeams(user, { regionId: query.regionId, limit: pageLimit(query), cursor: query.cursor });
  }

  @Roles('admin', 'dispatcher')
  @Get('teams/:id')
  getTeam(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    return this.org.getTeam(user, id);
  }

  @Roles('admin')
  @Post('teams/:id/members')
  addMember(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: AddMemberDto) {
    return this.org.addMember(user, id, dto);
  }

  @Roles('admin')
  @Post('staff')
  createStaff(@CurrentUser() user: AuthUser, @Body() dto: CreateStaffDto) {
    return this.org.createStaff(user, dto);
  }
}
