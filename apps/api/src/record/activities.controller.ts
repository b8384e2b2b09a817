import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { uuidParam } from '@xinyuan/common';
import { LatLngDto } from '@xinyuan/geo';
import { AuthUser, CurrentUser, Roles } from '@xinyuan/identity';
import { ActivitiesService } from '@xinyuan/record';

export class CreateActivityDto {
  @ApiProperty({ format: 'uuid', description: 'the region organising it (staff of its jurisdiction)' }) @IsUUID() regionId: string;
  @ApiProperty({ example: '重阳节敬老：为独居老人包饺子' }) @IsString() @Length(1, 100) theme: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 2000) description?: string;
  @ApiProperty({ example: '2026-12-05T09:00:00+08:00' }) @IsISO8601({ strict: true }) startsAt: string;
  @ApiProperty({ example: '2026-12-05T11:00:00+08:00' }) @IsISO8601({ strict: true }) endsAt: string;
  @ApiProperty({ type: LatLngDto }) @IsObject() @ValidateNested() @Type(() => LatLngDto) location: LatLngDto;
  @ApiProperty({ example: '阳光社区服务站活动室' }) @IsString() @Length(1, 300) address: string;
  @ApiProperty({ minimum: 1, maximum: 10000 }) @IsInt() @Min(1) @Max(10000) capacity: number;
  @ApiProperty({ minimum: 0, maximum: 1440, description: 'minutes credited to each attendee' }) @IsInt() @Min(0) @Max(1440) creditedMinutes: number;
}

export class ListActivitiesQuery {
  @ApiPropertyOptional({ example: '2026-12', description: 'the month (YYYY-MM) the activities start in' })
  @IsOptional() @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'month must be YYYY-MM' }) month?: string;
}

export class AttendByQrDto {
  @ApiProperty({ description: 'what the venue QR code holds' }) @IsString() @Length(1, 100) token: string;
  @ApiProperty({ type: LatLngDto }) @IsObject() @ValidateNested() @Type(() => LatLngDto) location: LatLngDto;
}

export class AttendanceDto {
  @ApiProperty({ type: [String], description: 'volunteers who attended (the leader’s list)' })
  @IsArray() @ArrayMaxSize(500) @IsUUID('all', { each: true }) volunteerIds: string[];
}

export class ActivityView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) regionId: string;
  @ApiProperty({ type: String, nullable: true }) area: string | null;
  @ApiProperty() theme: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ format: 'date-time' }) startsAt: string;
  @ApiProperty({ format: 'date-time' }) endsAt: string;
  @ApiProperty({ type: LatLngDto }) location: LatLngDto;
  @ApiProperty() address: string;
  @ApiProperty() capacity: number;
  @ApiProperty() creditedMinutes: number;
  @ApiProperty() confirmed: number;
  @ApiProperty() waiting: number;
  @ApiProperty() attended: number;
  @ApiPropertyOptional({ type: String, nullable: true, enum: ['confirmed', 'waiting', 'cancelled'] }) myStatus?: string | null;
  @ApiPropertyOptional() myAttended?: boolean;
  @ApiPropertyOptional({ description: 'staff of its jurisdiction: what the venue QR code holds' }) qrToken?: string;
}

/** Themed activities (月月有主题): staff create and mark attendance; volunteers sign up and scan the venue QR code. */
@ApiTags('service record 志愿服务记录')
@ApiBearerAuth()
@Controller('api/v1/activities')
export class ActivitiesController {
  constructor(private readonly activities: ActivitiesService) {}

  @Post()
  @Roles('dispatcher', 'admin')
  @ApiCreatedResponse({ type: ActivityView })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateActivityDto) {
    return this.activities.create(user, dto);
  }

  @Get()
  @Roles('volunteer', 'dispatcher', 'admin')
  @ApiOkResponse({ type: ActivityView, isArray: true })
  list(@CurrentUser() user: AuthUser, @Query() query: ListActivitiesQuery) {
    return this.activities.list(user, query.month);
  }

  @Get(':id')
  @Roles('volunteer', 'dispatcher', 'admin')
  @ApiOkResponse({ type: ActivityView })
  get(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    return this.activities.get(user, id);
  }

  @Post(':id/signup')
  @Roles('volunteer')
  @HttpCode(200)
  @ApiOkResponse({ type: ActivityView, description: 'myStatus: confirmed within the capacity, waiting beyond it' })
  signUp(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    return this.activities.signUp(user, id);
  }

  @Post(':id/cancel-signup')
  @Roles('volunteer')
  @HttpCode(200)
  @ApiOkResponse({ type: ActivityView })
  cancel(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    return this.activities.cancel(user, id);
  }

  @Post(':id/attend')
  @Roles('volunteer')
  @HttpCode(200)
  @ApiOkResponse({ type: ActivityView })
  attend(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: AttendByQrDto) {
    return this.activities.attendByQr(user, id, dto);
  }

  @Post(':id/attendance')
  @Roles('dispatcher', 'admin')
  @HttpCode(200)
  @ApiOkResponse({ type: ActivityView })
  attendance(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: AttendanceDto) {
    return this.activities.attendByStaff(user, id, dto.volunteerIds);
  }
}
