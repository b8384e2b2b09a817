import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, Min,
  ValidateIf, ValidateNested,
} from 'class-validator';
import { PageQuery } from '@xinyuan/common';
import { LatLngDto } from '@xinyuan/geo';
import { ORDER_STATUSES, OrderStatus } from '@xinyuan/orders';
import { PHONE_PATTERN } from '../identity/auth.dto';

export class PlaceOrderDto {
  @ApiProperty({ example: 'HAIRCUT' }) @IsString() @Length(1, 40) serviceCode: string;
  @ApiProperty({ example: '老人行动不便，需要上门理发' }) @IsString() @Length(1, 2000) description: string;
  @ApiProperty({ type: LatLngDto, required: false, description: 'required unless beneficiaryId is given (then taken from the profile)' })
  @ValidateIf((o: PlaceOrderDto) => !o.beneficiaryId || o.location !== undefined)
  @IsObject() @ValidateNested() @Type(() => LatLngDto) location?: LatLngDto;
  @ApiProperty({ example: '示例县示例街道示例小区 1 幢 101', required: false, description: 'required unless beneficiaryId is given (then taken from the profile)' })
  @ValidateIf((o: PlaceOrderDto) => !o.beneficiaryId || o.address !== undefined)
  @IsString() @Length(1, 300) address?: string;
  @ApiPropertyOptional({ description: '服务对象档案（一人一档）：为本人家属下单，或网格员/工作人员代点单' })
  @IsOptional() @IsUUID() beneficiaryId?: string;
  @ApiPropertyOptional({ example: '2026-11-24T09:00:00+08:00' }) @IsOptional() @IsISO8601({ strict: true }) preferredStart?: string;
  @ApiPropertyOptional({ example: '2026-11-24T11:00:00+08:00' }) @IsOptional() @IsISO8601({ strict: true }) preferredEnd?: string;
  @ApiPropertyOptional({ description: '默认为服务对象档案中的电话，否则为下单人手机号；加密保存' })
  @IsOptional() @IsString() @Matches(PHONE_PATTERN, { message: 'contactPhone must be an 11-digit mainland mobile number' })
  contactPhone?: string;

  @ApiPropertyOptional({ description: '紧急（如跌倒、敲门无人应答）：优先派单，响应时限缩短', default: false })
  @IsOptional() @IsBoolean() urgent?: boolean;
}

const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ListOrdersQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'only my own orders' }) @IsOptional() @Transform(toBool) @IsBoolean() mine?: boolean;
  @ApiPropertyOptional({ description: "orders my teams serve" }) @IsOptional() @Transform(toBool) @IsBoolean() assigned?: boolean;
  @ApiPropertyOptional({ enum: ORDER_STATUSES }) @IsOptional() @IsIn(ORDER_STATUSES as unknown as string[]) status?: OrderStatus;
}

export class ReasonDto {
  @ApiProperty({ example: '老人已由家属陪同理发' }) @IsString() @Length(1, 500) reason: string;
}

export class OptionalReasonDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 500) reason?: string;
}

export class ApproveDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 500) note?: string;
}

export class AssignDto {
  @ApiProperty() @IsUUID() teamId: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 500) note?: string;
  @ApiPropertyOptional({
    type: [String],
    description: 'the pending offers (of other teams) the caller confirmed to withdraw; while one is pending and not named here: 409 OFFER_PENDING',
  })
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsUUID('all', { each: true }) withdrawOfferIds?: string[];
  @ApiPropertyOptional({ description: 'assign a team lacking some required skills (otherwise 422 TEAM_LACKS_SKILLS)', default: false })
  @IsOptional() @IsBoolean() allowMissingSkills?: boolean;
}

export class AssignableTeamsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'part of the team name', maxLength: 50 }) @IsOptional() @IsString() @Length(1, 50) q?: string;
}

export class CheckInDto {
  @ApiProperty({ type: LatLngDto }) @IsObject() @ValidateNested() @Type(() => LatLngDto) location: LatLngDto;
  @ApiPropertyOptional({ description: '离服务地点超过 CHECKIN_MAX_DISTANCE_M 仍要签到（须填写原因）；服务时长留待工作人员确认', default: false })
  @IsOptional() @IsBoolean() override?: boolean;
  @ApiPropertyOptional({ example: '老人临时在女儿家，地址不同', description: 'required with override' })
  @ValidateIf((o: CheckInDto) => o.override === true || o.reason !== undefined)
  @IsString() @Length(1, 500) reason?: string;
}

export class CheckOutDto {
  @ApiProperty({ type: LatLngDto, description: '签退时的位置' }) @IsObject() @ValidateNested() @Type(() => LatLngDto) location: LatLngDto;
}

export class CompleteDto {
  @ApiProperty({ example: '已完成理发，老人很满意' }) @IsString() @Length(1, 2000) report: string;
  @ApiPropertyOptional() @IsOptional() @IsArray() @ArrayMaxSize(50) @IsUUID('all', { each: true }) volunteerIds?: string[];
  @ApiPropertyOptional({ minimum: 0, maximum: 1440 }) @IsOptional() @IsInt() @Min(0) @Max(1440) minutes?: number;
}
