import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsObject, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { AGE_BANDS, AgeBand, BENEFICIARY_TAG_CODES, BeneficiaryTag, CONTACT_PHONE_PATTERN, ID_NUMBER_PATTERN } from '@xinyuan/beneficiaries';
import { PageQuery } from '@xinyuan/common';
import { LatLngDto } from '@xinyuan/geo';

export class GuardianDto {
  @ApiProperty({ example: '示例联系人' }) @IsString() @Length(1, 50) name: string;
  @ApiProperty({ example: '13100000000' }) @IsString() @Matches(CONTACT_PHONE_PATTERN, { message: 'phone must be a mobile or landline number' }) phone: string;
  @ApiPropertyOptional({ example: '儿子' }) @IsOptional() @IsString() @Length(1, 20) relation?: string;
}

const TAGS_DOC = '固定词表（仅本辖区网格员/工作人员可设置、可见）: living_alone 独居老人, empty_nest 空巢老人, left_behind_child 留守儿童, vulnerable_child 困境儿童, disability 残疾, low_income 低保, extreme_poverty 特困, veteran 优抚对象';

export class CreateBeneficiaryDto {
  @ApiProperty({ example: '示例老人' }) @IsString() @Length(1, 50) name: string;
  @ApiProperty({ enum: AGE_BANDS }) @IsIn(AGE_BANDS as unknown as string[]) ageBand: AgeBand;
  @ApiProperty({ example: '示例县示例街道示例路 1 号' }) @IsString() @Length(1, 300) address: string;
  @ApiProperty({ type: LatLngDto }) @IsObject() @ValidateNested() @Type(() => LatLngDto) location: LatLngDto;
  @ApiPropertyOptional({ enum: BENEFICIARY_TAG_CODES, isArray: true, description: TAGS_DOC })
  @IsOptional() @IsArray() @ArrayMaxSize(8) @ArrayUnique() @IsIn(BENEFICIARY_TAG_CODES, { each: true }) tags?: BeneficiaryTag[];
  @ApiPropertyOptional({ type: String, description: '身份证号（加密保存；仅本辖区网格员/工作人员可见）' })
  @IsOptional() @IsString() @Matches(ID_NUMBER_PATTERN, { message: 'idNumber must be an 18-character resident identity number' }) idNumber?: string | null;
  @ApiPropertyOptional({ type: String, description: '联系电话（加密保存）' })
  @IsOptional() @IsString() @Matches(CONTACT_PHONE_PATTERN, { message: 'phone must be a mobile or landline number' }) phone?: string | null;
  @ApiPropertyOptional({ type: GuardianDto, description: '监护人/紧急联系人（加密保存）' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => GuardianDto) guardian?: GuardianDto | null;
}

/** Every field optional; `null` clears idNumber, phone or guardian. */
export class UpdateBeneficiaryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 50) name?: string;
  @ApiPropertyOptional({ enum: AGE_BANDS }) @IsOptional() @IsIn(AGE_BANDS as unknown as string[]) ageBand?: AgeBand;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 300) address?: string;
  @ApiPropertyOptional({ type: LatLngDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => LatLngDto) location?: LatLngDto;
  @ApiPropertyOptional({ enum: BENEFICIARY_TAG_CODES, isArray: true, description: TAGS_DOC })
  @IsOptional() @IsArray() @ArrayMaxSize(8) @ArrayUnique() @IsIn(BENEFICIARY_TAG_CODES, { each: true }) tags?: BeneficiaryTag[];
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() @Matches(ID_NUMBER_PATTERN, { message: 'idNumber must be an 18-character resident identity number' }) idNumber?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() @Matches(CONTACT_PHONE_PATTERN, { message: 'phone must be a mobile or landline number' }) phone?: string | null;
  @ApiPropertyOptional({ type: GuardianDto, nullable: true }) @IsOptional() @IsObject() @ValidateNested() @Type(() => GuardianDto) guardian?: GuardianDto | null;
}

export class ListBeneficiariesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: BENEFICIARY_TAG_CODES, description: 'officials only' }) @IsOptional() @IsIn(BENEFICIARY_TAG_CODES) tag?: BeneficiaryTag;
  @ApiPropertyOptional({ description: '按姓名查找（包含该文字，不区分大小写）', example: '示例' }) @IsOptional() @IsString() @Length(1, 50) q?: string;
}
