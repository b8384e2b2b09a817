import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsBoolean, IsIn, IsISO8601, IsObject, IsOptional, IsString, Length, Matches, ValidateNested,
} from 'class-validator';
import { PageQuery } from '@xinyuan/common';
import { NOTIFICATION_TYPES } from '@xinyuan/notifications';

export class InboxQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'only unread entries' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  unread?: boolean;
}

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

export class QuietHoursDto {
  @ApiProperty({ example: '22:00' }) @IsString() @Matches(HH_MM, { message: 'start must be HH:MM' }) start: string;
  @ApiProperty({ example: '07:00' }) @IsString() @Matches(HH_MM, { message: 'end must be HH:MM' }) end: string;
}

export class NotificationSettingsDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() sms?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() wechat?: boolean;
  @ApiPropertyOptional({ type: [String], enum: NOTIFICATION_TYPES, description: 'types that send no text message' })
  @IsOptional() @IsArray() @ArrayMaxSize(NOTIFICATION_TYPES.length) @IsIn(NOTIFICATION_TYPES as unknown as string[], { each: true }) mutedTypes?: string[];
  @ApiPropertyOptional({ type: QuietHoursDto, nullable: true, description: 'null: no quiet hours' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => QuietHoursDto) quietHours?: QuietHoursDto | null;
  @ApiPropertyOptional({ example: 'Asia/Shanghai' }) @IsOptional() @IsString() @Length(1, 64) timeZone?: string;
  @ApiPropertyOptional({ enum: ['zh', 'en'] }) @IsOptional() @IsIn(['zh', 'en']) lang?: 'zh' | 'en';
}

export class WeChatConsentDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'the result of wx.requestSubscribeMessage: template id → accept | reject | ban | filter',
    example: { TMPL_ORDER_ACCEPTED: 'accept' },
  })
  @IsObject()
  results: Record<string, string>;
}

export class SmsReportDto {
  @ApiPropertyOptional({ description: 'our out-id: the delivery id' }) @IsOptional() @IsString() @Length(1, 64) outId?: string;
  @ApiProperty({ description: "the provider's message id" }) @IsString() @Length(1, 128) messageId: string;
  @ApiProperty({ enum: ['delivered', 'failed'] }) @IsIn(['delivered', 'failed']) status: 'delivered' | 'failed';
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) errorCode?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601() reportedAt?: string;
}

export class SmsReportsDto {
  @ApiProperty({ type: [SmsReportDto] }) @IsArray() @ArrayMaxSize(1000) @ValidateNested({ each: true }) @Type(() => SmsReportDto) reports: SmsReportDto[];
}

export class SmsInboundDto {
  @ApiProperty({ description: "the provider's id of the reply (a re-posted reply is answered once)" }) @IsString() @Length(1, 128) messageId: string;
  @ApiProperty({ description: 'the sender' }) @IsString() @Length(5, 20) phone: string;
  @ApiProperty({ example: '1' }) @IsString() @Length(0, 500) content: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601() receivedAt?: string;
}
