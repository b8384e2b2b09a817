import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested,
} from 'class-validator';
import { PageQuery } from '@xinyuan/common';
import { LatLngDto } from '@xinyuan/geo';
import { CREDIT_STATUSES, CreditStatus, RELATIVE_RELATIONS, RelativeRelation } from '@xinyuan/record';

const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ListCreditsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CREDIT_STATUSES }) @IsOptional() @IsIn(CREDIT_STATUSES as unknown as string[]) status?: CreditStatus;
  @ApiPropertyOptional({ description: 'only credits a fraud check flagged (overlap, impossible travel, many confirmations)' })
  @IsOptional() @Transform(toBool) @IsBoolean() flagged?: boolean;
}

export class ConfirmCreditDto {
  @ApiPropertyOptional({ example: '已电话回访老人，确认服务属实' }) @IsOptional() @IsString() @Length(1, 500) note?: string;
}

export class RejectCreditDto {
  @ApiProperty({ example: '回访确认当天未上门' }) @IsString() @Length(1, 500) reason: string;
}

export class CorrectEntryDto {
  @ApiProperty({ minimum: 0, maximum: 1440, description: 'the right minutes for the entry' }) @IsInt() @Min(0) @Max(1440) minutes: number;
  @ApiProperty({ example: '签退时间录入有误，按服务对象确认更正' }) @IsString() @Length(1, 500) reason: string;
}

export class CorrectionRequestDto {
  @ApiProperty({ description: 'id of the ledger entry to correct', example: '42' }) @IsString() @Matches(/^[1-9]\d{0,17}$/, { message: 'entryId must be a ledger entry id' }) entryId: string;
  @ApiProperty({ minimum: 0, maximum: 1440 }) @IsInt() @Min(0) @Max(1440) minutes: number;
  @ApiProperty({ example: '当天服务了两小时，只记了一小时' }) @IsString() @Length(1, 500) reason: string;
}

export class ListCorrectionRequestsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['open', 'approved', 'rejected'] }) @IsOptional() @IsIn(['open', 'approved', 'rejected']) status?: string;
}

export class DecideCorrectionDto {
  @ApiProperty({ description: 'true applies the correction (a reversing entry and a new one)' }) @IsBoolean() approve: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 500) note?: string;
}

export class RevokeCertificateDto {
  @ApiProperty({ example: '服务时长经复核有误' }) @IsString() @Length(1, 500) reason: string;
}

/** A redemption names a catalogue item (GET /me/redemption-items); its price comes from the catalogue, never from the volunteer. */
export class RedeemDto {
  @ApiProperty({ format: 'uuid', description: 'an item of GET /api/v1/me/redemption-items' }) @IsUUID() itemId: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 20, default: 1 }) @IsOptional() @IsInt() @Min(1) @Max(20) quantity?: number;
}

export class TransferDto {
  @ApiProperty({ format: 'uuid', description: 'the relative’s account: an active resident account' }) @IsUUID() toUserId: string;
  @ApiProperty({ minimum: 1, maximum: 1000000 }) @IsInt() @Min(1) @Max(1000000) minutes: number;
  @ApiProperty({ enum: RELATIVE_RELATIONS, example: '父母' }) @IsIn(RELATIVE_RELATIONS as unknown as string[]) relation: RelativeRelation;
}

export class CreateRedemptionItemDto {
  @ApiProperty({ format: 'uuid', description: 'the region whose 爱心超市 offers it (staff of its jurisdiction); offered to volunteers of that region and below' })
  @IsUUID() regionId: string;
  @ApiProperty({ example: '大米 5 斤' }) @IsString() @Matches(/\S/, { message: 'name must not be blank' }) @Length(1, 100) name: string;
  @ApiProperty({ minimum: 1, maximum: 100000, description: 'points price of one' }) @IsInt() @Min(1) @Max(100000) points: number;
}

export class UpdateRedemptionItemDto {
  @ApiPropertyOptional({ example: '大米 10 斤' }) @IsOptional() @IsString() @Matches(/\S/, { message: 'name must not be blank' }) @Length(1, 100) name?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 100000 }) @IsOptional() @IsInt() @Min(1) @Max(100000) points?: number;
}

export class ListRedemptionItemsQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'only this region’s items' }) @IsOptional() @IsUUID() regionId?: string;
  @ApiPropertyOptional({ description: 'also retired items' }) @IsOptional() @Transform(toBool) @IsBoolean() includeRetired?: boolean;
}

export class RelativeDto {
  @ApiProperty({ example: '13812341234', description: 'the relative’s mobile number (their account)' }) @IsString() @Length(5, 20) phone: string;
  @ApiProperty({ example: '母亲' }) @IsString() @Length(1, 20) relation: string;
}

export class DrawDto {
  @ApiProperty({ format: 'uuid', description: 'the profile (一人一档) the caller recorded — themself or a parent — for whom care is drawn' }) @IsUUID() beneficiaryId: string;
  @ApiProperty({ minimum: 1, maximum: 1000000 }) @IsInt() @Min(1) @Max(1000000) minutes: number;
}

export class DonateDto {
  @ApiProperty({ minimum: 1, maximum: 1000000 }) @IsInt() @Min(1) @Max(1000000) minutes: number;
}

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
