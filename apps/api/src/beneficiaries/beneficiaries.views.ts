import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AGE_BANDS, AgeBand, BENEFICIARY_TAG_CODES, BeneficiaryTag } from '@xinyuan/beneficiaries';
import { PageOf } from '@xinyuan/common';
import { LatLngDto } from '@xinyuan/geo';

/** Response shapes of 一人一档 (OpenAPI; the front ends' types are generated from them). */

const AGE_BAND_ENUM = { enum: AGE_BANDS, enumName: 'AgeBand' } as const;
const TAG_ENUM = { enum: BENEFICIARY_TAG_CODES, enumName: 'BeneficiaryTag', isArray: true } as const;

export class GuardianView {
  @ApiProperty() name: string;
  @ApiProperty() phone: string;
  @ApiProperty({ type: String, nullable: true }) relation: string | null;
}

/** One profile: tags and identity number for officials of the jurisdiction only. */
export class BeneficiaryView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty(AGE_BAND_ENUM) ageBand: AgeBand;
  @ApiProperty() address: string;
  @ApiProperty({ type: LatLngDto }) location: LatLngDto;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) regionId: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'name of the region' }) area: string | null;
  @ApiProperty({ type: String, nullable: true }) phone: string | null;
  @ApiProperty({ type: GuardianView, nullable: true }) guardian: GuardianView | null;
  @ApiPropertyOptional({ ...TAG_ENUM, description: 'official access only' }) tags?: BeneficiaryTag[];
  @ApiPropertyOptional({ type: String, nullable: true, description: 'official access only' }) idNumber?: string | null;
  @ApiPropertyOptional({ description: 'owner access: whether an identity number is on file' }) idNumberOnFile?: boolean;
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class BeneficiaryListItem {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty(AGE_BAND_ENUM) ageBand: AgeBand;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) regionId: string | null;
  @ApiProperty({ type: String, nullable: true }) area: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'masked: 138****1234' }) phone: string | null;
  @ApiPropertyOptional({ ...TAG_ENUM, description: 'official access only' }) tags?: BeneficiaryTag[];
  @ApiPropertyOptional({ type: String, nullable: true, description: 'masked; official access only' }) idNumber?: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export const BeneficiaryPage = PageOf(BeneficiaryListItem, 'BeneficiaryPage');
