import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { PageQuery } from '@xinyuan/common';
import { CREDIT_STATUSES, CreditStatus } from '@xinyuan/record';

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

export class RedeemDto {
  @ApiProperty({ example: '大米 5 斤', description: '爱心超市 item' }) @IsString() @Length(1, 100) item: string;
  @ApiProperty({ minimum: 1, maximum: 100000 }) @IsInt() @Min(1) @Max(100000) points: number;
}

export class TransferDto {
  @ApiProperty({ format: 'uuid', description: 'the relative’s account' }) @IsUUID() toUserId: string;
  @ApiProperty({ minimum: 1, maximum: 1000000 }) @IsInt() @Min(1) @Max(1000000) minutes: number;
  @ApiProperty({ example: '母亲' }) @IsString() @Length(1, 20) relation: string;
}

export class DonateDto {
  @ApiProperty({ minimum: 1, maximum: 1000000 }) @IsInt() @Min(1) @Max(1000000) minutes: number;
}
