import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { PageQuery } from '@xinyuan/common';

export class CreateServiceDto {
  @ApiProperty({ example: 'HAIRCUT' }) @IsString() @Matches(/^[A-Z][A-Z0-9_]{1,39}$/, { message: 'code must be UPPER_SNAKE_CASE' }) code: string;
  @ApiProperty({ example: '上门理发' }) @IsString() @Length(1, 100) name: string;
  @ApiProperty({ example: '生活服务' }) @IsString() @Length(1, 50) group: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 2000) description?: string;
  @ApiProperty({ example: ['haircut'] })
  @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @Matches(/^[a-z][a-z0-9_]{1,39}$/, { each: true, message: 'each skill must be a snake_case id' })
  requiredSkills: string[];
  @ApiPropertyOptional({ minimum: 5, maximum: 86400, default: 900, description: "lower bound is ACCEPT_TIMEOUT_MIN_SECONDS (5)" })
  @IsOptional() @IsInt() @Min(1) @Max(86400) acceptTimeoutSeconds?: number;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() requiresReview?: boolean;
  @ApiPropertyOptional({ minimum: 0, maximum: 60, default: 0, description: "seconds a non-urgent order whose preferred start is not imminent may wait to be matched together with others (batch assignment); 0: only the deployment's surge batching" })
  @IsOptional() @IsInt() @Min(0) @Max(60) batchWindowSeconds?: number;
  @ApiPropertyOptional({ enum: ['offer', 'grab'], default: 'offer', description: 'offer: one team at a time; grab (抢单): the top N teams at once, first accept wins' })
  @IsOptional() @IsIn(['offer', 'grab']) offerMode?: 'offer' | 'grab';
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'the county (root region) the item belongs to: only the everything-scope admin chooses; a county admin\'s items are their county\'s; omitted by the everything-scope admin: deployment-wide',
  })
  @IsOptional() @IsUUID() regionId?: string;
}

/** Where the caller is, for the county items of the public menu (all optional). */
export class MenuQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'any region of the county whose own items to include' }) @IsOptional() @IsUUID() regionId?: string;
  @ApiPropertyOptional({ minimum: -90, maximum: 90, description: 'with lng: the county covering this point' })
  @IsOptional() @Type(() => Number) @IsNumber() @Min(-90) @Max(90) lat?: number;
  @ApiPropertyOptional({ minimum: -180, maximum: 180 }) @IsOptional() @Type(() => Number) @IsNumber() @Min(-180) @Max(180) lng?: number;
}
