import { ApiProperty } from '@nestjs/swagger';
import { StaffServiceView } from '../catalog/catalog.views';
import { TEAM_MEMBER_ROLE_ENUM } from '../org/org.views';
import { TeamMemberRole } from '@xinyuan/org';

/** Response shapes of the console's management pages (OpenAPI; the front ends' types are generated from them). */

export class TeamMemberView {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true, description: 'masked: 138****1234' }) phone: string | null;
  @ApiProperty(TEAM_MEMBER_ROLE_ENUM) role: TeamMemberRole;
  @ApiProperty({ type: [String] }) skills: string[];
  @ApiProperty({ format: 'date-time' }) joinedAt: string;
  @ApiProperty({ description: 'minutes of completed orders that name the member' }) serviceMinutes: number;
}

export class TeamMemberList {
  @ApiProperty({ type: [TeamMemberView] }) items: TeamMemberView[];
}

const STAFF_LIST_ROLES = ['dispatcher', 'admin', 'grid_worker'] as const;

export class StaffMemberView {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true, description: 'masked: 138****1234' }) phone: string | null;
  @ApiProperty({ enum: STAFF_LIST_ROLES, isArray: true }) roles: (typeof STAFF_LIST_ROLES)[number][];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) regionId: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'name of the region' }) region: string | null;
  @ApiProperty({ description: 'false: disabled (停用), cannot sign in' }) active: boolean;
  @ApiProperty({ description: 'the caller may edit this account (staff below them); the API checks again' }) editable: boolean;
  @ApiProperty({ description: "the caller's own account (a new name only)" }) self: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class StaffList {
  @ApiProperty({ type: [StaffMemberView] }) items: StaffMemberView[];
}

export class ServiceList {
  @ApiProperty({ type: [StaffServiceView] }) items: StaffServiceView[];
}

export class MemberChange {
  @ApiProperty({ format: 'uuid' }) teamId: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty(TEAM_MEMBER_ROLE_ENUM) role: TeamMemberRole;
  @ApiProperty({ type: [String] }) skills: string[];
}

export class ServiceRecordView {
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty() serviceName: string;
  @ApiProperty() teamName: string;
  @ApiProperty({ format: 'date-time' }) completedAt: string;
  @ApiProperty({ type: Number, nullable: true, description: 'null when the report gave none' }) minutes: number | null;
}

export class ServiceHoursView {
  @ApiProperty() totalMinutes: number;
  @ApiProperty({ description: 'completed orders counted' }) orders: number;
  @ApiProperty() thisMonthMinutes: number;
  @ApiProperty({ type: [ServiceRecordView], description: 'the latest 20' }) recent: ServiceRecordView[];
}
