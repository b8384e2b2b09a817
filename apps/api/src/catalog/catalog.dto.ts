import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

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
  @ApiPropertyOptional({ enum: ['offer', 'grab'], default: 'offer', description: 'offer: one team at a time; grab (抢单): the top N teams at once, first accept wins' })
  @IsOptional() @IsIn(['offer', 'grab']) offerMode?: 'offer' | 'grab';
}
