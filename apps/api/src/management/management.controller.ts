import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested,
} from 'class-validator';
import { uuidParam } from '@xinyuan/common';
import { LatLngDto } from '@xinyuan/geo';
import { CatalogService } from '@xinyuan/catalog';
import { AuthUser, CurrentUser, Roles, STAFF_CREATABLE_ROLES, StaffCreatableRole } from '@xinyuan/identity';
import { OrgAdminService, StaffAdminService, TEAM_MEMBER_ROLES, TeamMemberRole } from '@xinyuan/org';
import { ManagementQueries } from './management.queries';
import { TeamView } from '../org/org.views';
import { ServiceView } from '../catalog/catalog.views';
import { MemberChange, ServiceHoursView, ServiceList, StaffList, StaffMemberView, TeamMemberList } from './management.views';

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

/** Every field optional; the code (what orders and clients refer to) never changes. */
export class UpdateServiceDto {
  @ApiPropertyOptional({ example: '上门理发' }) @IsOptional() @IsString() @Length(1, 100) name?: string;
  @ApiPropertyOptional({ example: '生活服务' }) @IsOptional() @IsString() @Length(1, 50) group?: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: "null or '' clears it" })
  @IsOptional() @IsString() @Length(0, 2000) description?: string | null;
  @ApiPropertyOptional({ example: ['haircut'] })
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @Matches(SKILL, { each: true, message: 'each skill must be a snake_case id' })
  requiredSkills?: string[];
  @ApiPropertyOptional({ minimum: 5, maximum: 86400, description: 'lower bound is ACCEPT_TIMEOUT_MIN_SECONDS (5)' })
  @IsOptional() @IsInt() @Min(1) @Max(86400) acceptTimeoutSeconds?: number;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() requiresReview?: boolean;
  @ApiPropertyOptional({ minimum: 0, maximum: 60, description: "seconds a non-urgent order whose preferred start is not imminent may wait to be matched together with others (batch assignment); 0: only the deployment's surge batching" })
  @IsOptional() @IsInt() @Min(0) @Max(60) batchWindowSeconds?: number;
  @ApiPropertyOptional({ enum: ['offer', 'grab'] }) @IsOptional() @IsIn(['offer', 'grab']) offerMode?: 'offer' | 'grab';
  @ApiPropertyOptional({ description: 'false takes the item off the menu (下架)' }) @IsOptional() @IsBoolean() active?: boolean;
}

export class UpdateMemberDto {
  @ApiPropertyOptional({ enum: TEAM_MEMBER_ROLES }) @IsOptional() @IsIn(TEAM_MEMBER_ROLES) role?: TeamMemberRole;
  @ApiPropertyOptional({ example: ['haircut'] })
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @Matches(SKILL, { each: true, message: 'each skill must be a snake_case id' })
  skills?: string[];
}

export class UpdateStaffDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 50) name?: string;
  @ApiPropertyOptional({ enum: STAFF_CREATABLE_ROLES, description: 'replaces the staff role; ends the person\'s sessions' })
  @IsOptional() @IsIn(STAFF_CREATABLE_ROLES) role?: StaffCreatableRole;
  @ApiPropertyOptional({ description: 'jurisdiction (a region of yours); ends the person\'s sessions' }) @IsOptional() @IsUUID() regionId?: string;
  @ApiPropertyOptional({ description: 'false disables the account (停用): no sign-in, every session revoked; true enables it again' })
  @IsOptional() @IsBoolean() active?: boolean;
}

export class ResetStaffPasswordDto {
  @ApiProperty({ minLength: 8, maxLength: 72, example: 'example-N3w-passw0rd', description: '新密码（当面告知本人）' })
  @IsString() @Length(8, 72) newPassword: string;
}

/** The console's management pages: lists and edits beyond the create endpoints of the core contract. */
@ApiTags('organisation 组织')
@ApiBearerAuth()
@Controller('api/v1')
export class ManagementController {
  constructor(
    private readonly management: ManagementQueries,
    private readonly org: OrgAdminService,
    private readonly staffAdmin: StaffAdminService,
    private readonly catalog: CatalogService,
  ) {}

  @Roles('admin')
  @Patch('teams/:id')
  @ApiOkResponse({ type: TeamView })
  @ApiOperation({ summary: 'Edit a team: location (picked on the map), radius, skills, capacity, active' })
  async updateTeam(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: UpdateTeamDto) {
    return this.org.updateTeam(user, id, dto);
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
  @ApiOperation({ summary: 'The menu as staff see it, inactive items included: deployment-wide items and their county\'s (editable: the caller may change it)' })
  services(@CurrentUser() user: AuthUser) {
    return this.catalog.listForStaff(user);
  }

  @Roles('admin')
  @Patch('staff/:id')
  @ApiOkResponse({ type: StaffMemberView })
  @ApiOperation({ summary: 'Edit a staff account of your jurisdiction: name, role, region, disable (停用) or enable' })
  async updateStaff(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: UpdateStaffDto) {
    await this.staffAdmin.update(user, id, dto);
    return this.management.staffMember(user, id);
  }

  @Roles('admin')
  @Post('staff/:id/password')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the new password is set; every session of the account has ended' })
  @ApiOperation({ summary: 'Set a new password for a staff account of your jurisdiction (staff cannot reset theirs by SMS); its sessions end' })
  async resetStaffPassword(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: ResetStaffPasswordDto): Promise<void> {
    await this.staffAdmin.resetPassword(user, id, dto.newPassword);
  }

  @Roles('admin')
  @Patch('teams/:id/members/:userId')
  @ApiOkResponse({ type: MemberChange })
  @ApiOperation({ summary: "Change a member's role in the team (队长/队员) or skills" })
  updateMember(
    @CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Param('userId', uuidParam('userId')) userId: string, @Body() dto: UpdateMemberDto,
  ) {
    return this.org.updateMember(user, id, userId, dto);
  }

  @Roles('admin')
  @Delete('teams/:id/members/:userId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'taken off the team' })
  @ApiOperation({ summary: 'Take a member off the team (the team keeps its orders; service records stay)' })
  async removeMember(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Param('userId', uuidParam('userId')) userId: string): Promise<void> {
    await this.org.removeMember(user, id, userId);
  }

  @Roles('admin')
  @Patch('services/:code')
  @ApiOkResponse({ type: ServiceView })
  @ApiOperation({ summary: 'Edit a menu item (name, group, skills, timeout, review, mode) or take it off the menu / put it back; another county\'s item: 404, a deployment-wide one below the everything-scope admin: 403' })
  async updateService(@CurrentUser() user: AuthUser, @Param('code') code: string, @Body() dto: UpdateServiceDto) {
    // deployment-wide items: the everything-scope admin; a county's own items: its county-wide admins
    return this.catalog.update(user, code, dto);
  }

  @Get('me/service-hours')
  @ApiOkResponse({ type: ServiceHoursView })
  @ApiOperation({ summary: "The caller's volunteer service minutes: total, this month, recent orders" })
  serviceHours(@CurrentUser() user: AuthUser) {
    return this.management.serviceHours(user.id);
  }
}
