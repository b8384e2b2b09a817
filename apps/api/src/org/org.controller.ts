import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { PageQuery, pageLimit, uuidParam } from '@xinyuan/common';
import { AuthUser, CurrentUser, Roles } from '@xinyuan/identity';
import { OrgAdminService } from '@xinyuan/org';
import { AddMemberDto, CreateRegionDto, CreateStaffDto, CreateTeamDto, UpdateRegionDto } from './org.dto';
import { AddedMember, CreatedRegion, CreatedStaff, RegionPage, TeamPage, TeamView } from './org.views';

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
  @ApiCreatedResponse({ type: CreatedRegion })
  createRegion(@CurrentUser() user: AuthUser, @Body() dto: CreateRegionDto) {
    return this.org.createRegion(user, dto);
  }

  @Roles('admin')
  @Patch('regions/:id')
  @ApiOkResponse({ type: CreatedRegion })
  updateRegion(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: UpdateRegionDto) {
    return this.org.updateRegion(user, id, dto);
  }

  @Roles('admin', 'dispatcher')
  @Get('regions')
  @ApiOkResponse({ type: RegionPage })
  listRegions(@CurrentUser() user: AuthUser, @Query() query: PageQuery) {
    return this.org.listRegions(user, pageLimit(query), query.cursor);
  }

  @Roles('admin')
  @Post('teams')
  @ApiCreatedResponse({ type: TeamView })
  createTeam(@CurrentUser() user: AuthUser, @Body() dto: CreateTeamDto) {
    return this.org.createTeam(user, dto);
  }

  @Roles('admin', 'dispatcher')
  @Get('teams')
  @ApiOkResponse({ type: TeamPage })
  listTeams(@CurrentUser() user: AuthUser, @Query() query: ListTeamsQuery) {
    return this.org.listTeams(user, { regionId: query.regionId, limit: pageLimit(query), cursor: query.cursor });
  }

  @Roles('admin', 'dispatcher')
  @Get('teams/:id')
  @ApiOkResponse({ type: TeamView })
  getTeam(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    return this.org.getTeam(user, id);
  }

  @Roles('admin')
  @Post('teams/:id/members')
  @ApiCreatedResponse({ type: AddedMember })
  addMember(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: AddMemberDto) {
    return this.org.addMember(user, id, dto);
  }

  @Roles('admin')
  @Post('staff')
  @ApiCreatedResponse({ type: CreatedStaff })
  createStaff(@CurrentUser() user: AuthUser, @Body() dto: CreateStaffDto) {
    return this.org.createStaff(user, dto);
  }
}
