import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested,
} from 'class-validator';
import { LatLngDto } from '@xinyuan/geo';
import { STAFF_CREATABLE_ROLES, StaffCreatableRole } from '@xinyuan/identity';
import { REGION_LEVELS, RegionLevel, TEAM_MEMBER_ROLES, TeamMemberRole } from '@xinyuan/org';
import { PHONE_PATTERN } from '../identity/auth.dto';
import { IsGeoJsonPolygon } from './geojson.validator';

const SKILL = /^[a-z][a-z0-9_]{1,39}$/;

export class CreateRegionDto {
  @ApiProperty({ example: '示例街道' }) @IsString() @Length(1, 100) name: string;
  @ApiProperty({ enum: REGION_LEVELS }) @IsIn(REGION_LEVELS as unknown as string[]) level: RegionLevel;
  @ApiPropertyOptional() @IsOptional() @IsUUID() parentId?: string;
  @ApiPropertyOptional({ description: 'GeoJSON Polygon or MultiPolygon (WGS84)' })
  @IsOptional() @IsObject() @IsGeoJsonPolygon() boundary?: object;
}

/** Rename a region or redraw its boundary (inside the parent, clear of the siblings, around every sub-region). */
export class UpdateRegionDto {
  @ApiPropertyOptional({ example: '递铺街道' }) @IsOptional() @IsString() @Length(1, 100) name?: string;
  @ApiPropertyOptional({ description: 'GeoJSON Polygon or MultiPolygon (WGS84)' })
  @IsOptional() @IsObject() @IsGeoJsonPolygon() boundary?: object;
}

export class CreateTeamDto {
  @ApiProperty({ example: '示例志愿服务队' }) @IsString() @Length(1, 100) name: string;
  @ApiProperty() @IsUUID() regionId: string;
  @ApiProperty({ type: LatLngDto }) @IsObject() @ValidateNested() @Type(() => LatLngDto) location: LatLngDto;
  @ApiProperty({ example: 5000, minimum: 100 }) @IsInt() @Min(100) serviceRadiusM: number;
  @ApiProperty({ example: ['haircut', 'elder_care'] })
  @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @Matches(SKILL, { each: true, message: 'each skill must be a snake_case id' })
  skills: string[];
  @ApiProperty({ example: 5, minimum: 0, maximum: 1000 }) @IsInt() @Min(0) @Max(1000) capacity: number;
}

export class AddMemberDto {
  @ApiProperty() @IsString() @Matches(PHONE_PATTERN, { message: 'phone must be an 11-digit mainland mobile number' }) phone: string;
  @ApiProperty() @IsString() @Length(1, 50) name: string;
  @ApiProperty() @IsString() @Length(8, 72) password: string;
  @ApiProperty({ enum: TEAM_MEMBER_ROLES }) @IsIn(TEAM_MEMBER_ROLES as unknown as string[]) role: TeamMemberRole;
  @ApiPropertyOptional() @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @Matches(SKILL, { each: true }) skills?: string[];
}

export class CreateStaffDto {
  @ApiProperty() @IsString() @Matches(PHONE_PATTERN, { message: 'phone must be an 11-digit mainland mobile number' }) phone: string;
  @ApiProperty() @IsString() @Length(1, 50) name: string;
  @ApiProperty() @IsString() @Length(8, 72) password: string;
  @ApiProperty({ enum: STAFF_CREATABLE_ROLES, description: 'grid_worker: 网格员, region = their grid/village' })
  @IsIn(STAFF_CREATABLE_ROLES as unknown as string[]) role: StaffCreatableRole;
  @ApiProperty({ description: 'jurisdiction; must lie inside your own' }) @IsUUID() regionId: string;
}
