import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { PageQuery, pageLimit, uuidParam } from '@xinyuan/common';
import { Roles } from '@xinyuan/identity';
import { OrgAdminService } from '@xinyuan/org';
import { AddMemberDto, CreateRegionDto, CreateStaffDto, CreateTeamDto } from './org.dto';

@ApiTags('organisation 组织')
@ApiBearerAuth()
@Controller('api/v1')
export class OrgController {
  constructor(private readonly org: OrgAdminService) {}

  @Roles('admin')
  @Post('regions')
  createRegion(@Body() dto: CreateRegionDto) {
    return this.org.createRegion(dto);
  }

  @Roles('admin', 'dispatcher')
  @Get('regions')
  listRegions(@Query() query: PageQuery) {
    return this.org.listRegions(pageLimit(query), query.cursor);
  }

  @Roles('admin')
  @Post('teams')
  createTeam(@Body() dto: CreateTeamDto) {
    return this.org.createTeam(dto);
  }

  @Roles('admin', 'dispatcher')
  @Get('teams/:id')
  getTeam(@Param('id', uuidParam()) id: string) {
    return this.org.getTeam(id);
  }

  @Roles('admin')
  @Post('teams/:id/members')
  addMember(@Param('id', uuidParam()) id: string, @Body() dto: AddMemberDto) {
    return this.org.addMember(id, dto);
  }

  @Roles('admin')
  @Post('staff')
  createStaff(@Body() dto: CreateStaffDto) {
    return this.org.createStaff(dto);
  }
}
