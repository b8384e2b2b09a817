import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '@xinyuan/common';
import { LatLngDto } from '@xinyuan/geo';
import { STAFF_CREATABLE_ROLES, StaffCreatableRole } from '@xinyuan/identity';
import { REGION_LEVELS, RegionLevel, TEAM_MEMBER_ROLES, TeamMemberRole } from '@xinyuan/org';

/** Response shapes of regions, teams and staff (OpenAPI; the front ends' types are generated from them). */

export const REGION_LEVEL_ENUM = { enum: REGION_LEVELS, enumName: 'RegionLevel' } as const;
export const TEAM_MEMBER_ROLE_ENUM = { enum: TEAM_MEMBER_ROLES, enumName: 'TeamMemberRole' } as const;

export class RegionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty(REGION_LEVEL_ENUM) level: RegionLevel;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) parentId: string | null;
}

export const RegionPage = PageOf(RegionView);

export class CreatedRegion extends RegionView {
  @ApiProperty() hasBoundary: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class TeamView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'uuid' }) regionId: string;
  @ApiProperty({ type: LatLngDto }) location: LatLngDto;
  @ApiProperty() serviceRadiusM: number;
  @ApiProperty({ type: [String] }) skills: string[];
  @ApiProperty() capacity: number;
  @ApiProperty({ description: 'orders accepted or in service now' }) activeOrders: number;
  @ApiProperty() active: boolean;
}

export class TeamListItem extends TeamView {
  @ApiProperty({ description: 'name of the team\'s region' }) region: string;
  @ApiProperty() members: number;
  @ApiProperty() ratingCount: number;
  @ApiProperty({ type: Number, nullable: true }) averageStars: number | null;
}

export const TeamPage = PageOf(TeamListItem, 'TeamPage');

export class AddedMember {
  @ApiProperty({ format: 'uuid' }) teamId: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty(TEAM_MEMBER_ROLE_ENUM) role: TeamMemberRole;
  @ApiProperty({ type: [String] }) skills: string[];
}

export class CreatedStaff {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ enum: STAFF_CREATABLE_ROLES }) role: StaffCreatableRole;
  @ApiProperty({ format: 'uuid' }) regionId: string;
}
