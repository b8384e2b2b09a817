import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested,
} from 'class-validator';
import { AGE_BANDS, BENEFICIARY_TAG_CODES } from '@xinyuan/beneficiaries';
import { ALERT_OUTCOMES, CAMPAIGN_REASONS, CHECK_IN_SOURCES, FOLLOW_UP_OUTCOMES, HHMM, VISIT_KINDS, WELLBEING } from '@xinyuan/care';
import { PageQuery } from '@xinyuan/common';

export class CareCheckInRuleDto {
  @ApiProperty({ example: '08:00', description: '每天几点前报平安（当地时间 HH:MM）' })
  @IsString() @Matches(HHMM, { message: 'dailyBy must be HH:MM (00:00–23:59)' }) dailyBy: string;
  @ApiPropertyOptional({ example: 30, description: '宽限分钟数（默认 30）' }) @IsOptional() @IsInt() @Min(0) @Max(720) graceMinutes?: number;
  @ApiPropertyOptional({ example: 'Asia/Shanghai', description: 'IANA 时区，默认 Asia/Shanghai' }) @IsOptional() @IsString() @Length(1, 64) timeZone?: string;
}

export class CareDutyDto {
  @ApiProperty({ enum: VISIT_KINDS }) @IsIn(VISIT_KINDS as unknown as string[]) kind: (typeof VISIT_KINDS)[number];
  @ApiProperty({ example: 'FREQ=WEEKLY;BYDAY=TU', description: 'RFC 5545 重复规则（当地时间；默认 09:00）' }) @IsString() @Length(1, 500) rrule: string;
  @ApiPropertyOptional({ format: 'uuid', description: '网格员或结对志愿者' }) @IsOptional() @IsUUID() assigneeUserId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: '服务队' }) @IsOptional() @IsUUID() teamId?: string;
  @ApiPropertyOptional({ description: '服务队上门时的菜单项目' }) @IsOptional() @IsString() @Length(1, 64) serviceCode?: string;
}

export class CarePutCarePlanDto {
  @ApiPropertyOptional({ type: CareCheckInRuleDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => CareCheckInRuleDto) checkIn?: CareCheckInRuleDto;
  @ApiPropertyOptional({ type: [CareDutyDto] }) @IsOptional() @IsArray() @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => CareDutyDto) visits?: CareDutyDto[];
}

export class CareCheckInDto {
  @ApiProperty({ enum: CHECK_IN_SOURCES.filter((s) => s !== 'device'), description: 'self 本人 / family 家属 / neighbour 邻居 / grid_worker 网格员' })
  @IsIn(CHECK_IN_SOURCES as unknown as string[]) source: (typeof CHECK_IN_SOURCES)[number];
  @ApiPropertyOptional({ example: '窗帘已拉开' }) @IsOptional() @IsString() @Length(0, 300) note?: string;
}

export class CareDeviceCheckInDto {
  @ApiPropertyOptional({ example: '今日用水 0.12 吨' }) @IsOptional() @IsString() @Length(0, 300) note?: string;
}

export class CareCreateDeviceKeyDto {
  @ApiProperty({ example: '智能水表' }) @IsString() @Length(1, 50) name: string;
}

export class CareAlertsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['open', 'resolved'] }) @IsOptional() @IsIn(['open', 'resolved']) status?: 'open' | 'resolved';
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() beneficiaryId?: string;
}

export class CareResolveAlertDto {
  @ApiProperty({ enum: ALERT_OUTCOMES, description: 'found_well 安好 / in_hospital 住院 / away 随家人外出（暂停计划） / other 其他' })
  @IsIn(ALERT_OUTCOMES as unknown as string[]) outcome: (typeof ALERT_OUTCOMES)[number];
  @ApiProperty({ example: '已上门，老人睡过头了' }) @IsString() @Length(0, 500) note: string;
  @ApiPropertyOptional({ format: 'date-time', description: '外出/住院到何时（暂停每日报平安）' }) @IsOptional() @IsISO8601({ strict: true }) awayUntil?: string;
}

export class CareAcknowledgeAlertDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 500) note?: string;
}

export class CareVisitsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['today', 'overdue', 'upcoming', 'all'] }) @IsOptional() @IsIn(['today', 'overdue', 'upcoming', 'all']) due?: 'today' | 'overdue' | 'upcoming' | 'all';
  @ApiPropertyOptional({ enum: ['open', 'done', 'cancelled'] }) @IsOptional() @IsIn(['open', 'done', 'cancelled']) status?: 'open' | 'done' | 'cancelled';
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() beneficiaryId?: string;
  @ApiPropertyOptional({ enum: ['visit', 'call', 'delivery', 'check', 'followup'] }) @IsOptional() @IsIn(['visit', 'call', 'delivery', 'check', 'followup']) kind?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'the tasks of one campaign (走访活动)' }) @IsOptional() @IsUUID() campaignId?: string;
}

export class CareVisitOrderDto {
  @ApiProperty({ example: 'HOME_REPAIR' }) @IsString() @Length(1, 64) serviceCode: string;
  @ApiProperty({ example: '走访发现灯坏了' }) @IsString() @Length(1, 1000) description: string;
}

export class CareFollowUpOutcomeDto {
  @ApiProperty({ enum: FOLLOW_UP_OUTCOMES, description: 'explained 已解释说明 / resolved_by_phone 电话沟通已解决 / redo 重新下单（关联原订单）' })
  @IsIn(FOLLOW_UP_OUTCOMES as unknown as string[]) outcome: (typeof FOLLOW_UP_OUTCOMES)[number];
  @ApiPropertyOptional({ description: 'redo: offer the team of the first order too (by default it is offered last)' }) @IsOptional() @IsBoolean() keepTeam?: boolean;
}

export class CareCompleteVisitDto {
  @ApiProperty({ enum: WELLBEING }) @IsIn(WELLBEING as unknown as string[]) wellbeing: (typeof WELLBEING)[number];
  @ApiProperty({ example: '精神不错' }) @IsString() @Length(0, 1000) note: string;
  @ApiPropertyOptional({ type: CareVisitOrderDto, description: '走访中发现的需求，当场替服务对象下单（微心愿）' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => CareVisitOrderDto) order?: CareVisitOrderDto;
  @ApiPropertyOptional({ type: CareFollowUpOutcomeDto, description: '回访 (followup) tasks only: the outcome' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => CareFollowUpOutcomeDto) followUp?: CareFollowUpOutcomeDto;
}

export class CareTemplateDutyDto {
  @ApiProperty({ enum: VISIT_KINDS }) @IsIn(VISIT_KINDS as unknown as string[]) kind: (typeof VISIT_KINDS)[number];
  @ApiProperty({ example: 'FREQ=WEEKLY;BYDAY=TU', description: 'RFC 5545 重复规则（当地时间；默认 09:00）' }) @IsString() @Length(1, 500) rrule: string;
  @ApiPropertyOptional({ description: '服务队上门时的菜单项目' }) @IsOptional() @IsString() @Length(1, 64) serviceCode?: string;
}

export class CarePutTemplateDto {
  @ApiProperty({ example: '独居老人：每天电话，每周上门' }) @IsString() @Length(1, 100) name: string;
  @ApiPropertyOptional({ type: CareCheckInRuleDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => CareCheckInRuleDto) checkIn?: CareCheckInRuleDto;
  @ApiProperty({ type: [CareTemplateDutyDto] }) @IsArray() @ArrayMaxSize(20) @ValidateNested({ each: true }) @Type(() => CareTemplateDutyDto) visits: CareTemplateDutyDto[];
  @ApiPropertyOptional({ format: 'uuid', description: 'the county (deployment-wide admin only; a county admin sets their own)' }) @IsOptional() @IsUUID() countyId?: string;
}

export class CareTemplatesQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'the county (deployment-wide admin only)' }) @IsOptional() @IsUUID() countyId?: string;
}

export class CareTemplateTagParam {
  @ApiProperty({ enum: BENEFICIARY_TAG_CODES }) @IsIn(BENEFICIARY_TAG_CODES) tag: string;
}

export class CareApplyTemplateDto {
  @ApiProperty({ enum: BENEFICIARY_TAG_CODES, example: 'living_alone' }) @IsIn(BENEFICIARY_TAG_CODES) tag: string;
  @ApiPropertyOptional({ format: 'uuid', description: '负责人（默认是操作者本人）' }) @IsOptional() @IsUUID() assigneeUserId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: '或指派给服务队' }) @IsOptional() @IsUUID() teamId?: string;
}

export class CareCreateCampaignDto {
  @ApiProperty({ example: 'cold-snap-2026-12-02', description: 'the client\'s key: the same key again answers the first campaign' }) @IsString() @Length(8, 100) clientKey: string;
  @ApiProperty({ format: 'uuid', description: '哪个村/社区（须在本人辖区内）' }) @IsUUID() regionId: string;
  @ApiProperty({ enum: CAMPAIGN_REASONS, description: 'cold_snap 寒潮 / heat_wave 高温 / festival 节日 / other 其他' }) @IsIn(CAMPAIGN_REASONS as unknown as string[]) reason: (typeof CAMPAIGN_REASONS)[number];
  @ApiPropertyOptional({ example: '寒潮走访' }) @IsOptional() @IsString() @Length(1, 100) title?: string;
  @ApiProperty({ enum: BENEFICIARY_TAG_CODES, isArray: true, description: '人群（须同时符合）' })
  @IsArray() @ArrayMaxSize(8) @ArrayUnique() @IsIn(BENEFICIARY_TAG_CODES, { each: true }) tags: string[];
  @ApiPropertyOptional({ enum: AGE_BANDS, isArray: true, description: '年龄段（任一）' })
  @IsOptional() @IsArray() @ArrayMaxSize(5) @ArrayUnique() @IsIn(AGE_BANDS as unknown as string[], { each: true }) ageBands?: string[];
  @ApiProperty({ format: 'date-time', description: '几点前走访完' }) @IsISO8601({ strict: true }) dueAt: string;
}

export class CareCoverageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'only this region and below (inside the caller\'s jurisdiction)' }) @IsOptional() @IsUUID() regionId?: string;
}
