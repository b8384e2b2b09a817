import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsObject, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';

export class RatingDimensionsDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 5 }) @IsOptional() @IsInt() @Min(1) @Max(5) attitude?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 5 }) @IsOptional() @IsInt() @Min(1) @Max(5) timeliness?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 5 }) @IsOptional() @IsInt() @Min(1) @Max(5) quality?: number;
}

export class RateOrderDto {
  @ApiProperty({ minimum: 1, maximum: 5 }) @IsInt() @Min(1) @Max(5) stars: number;
  @ApiProperty({ description: '问题是否解决' }) @IsBoolean() solved: boolean;
  @ApiPropertyOptional({ description: '确认志愿者确实上门服务了（默认是）；选“否”时服务时长留待工作人员核实', default: true })
  @IsOptional() @IsBoolean() serviceHappened?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 1000) comment?: string;
  @ApiPropertyOptional({ type: RatingDimensionsDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => RatingDimensionsDto) dimensions?: RatingDimensionsDto;
}
