import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { PageQuery } from '@xinyuan/common';
import { WEBHOOK_EVENT_TYPES } from '@xinyuan/webhooks';

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://12345.example.gov.cn/hooks/xinyuan', description: 'http(s); private, loopback and link-local targets are refused' })
  @IsString() @MaxLength(2000) url: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length) @ArrayUnique() @IsIn(WEBHOOK_EVENT_TYPES as unknown as string[], { each: true }) events: string[];
}

export class RotateWebhookSecretDto {
  @ApiPropertyOptional({ description: 'hours during which the old secret signs too (default 24)', minimum: 0, maximum: 168 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(168) overlapHours?: number;
}

export class WebhookDeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['pending', 'sending', 'delivered', 'dead', 'cancelled'] })
  @IsOptional() @IsIn(['pending', 'sending', 'delivered', 'dead', 'cancelled']) status?: string;
}
