import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '@xinyuan/common';

/** Response shapes of the service menu (OpenAPI; the front ends' types are generated from them). */

export class ServiceView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'HAIRCUT' }) code: string;
  @ApiProperty() name: string;
  @ApiProperty() group: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ type: [String] }) requiredSkills: string[];
  @ApiProperty() acceptTimeoutSeconds: number;
  @ApiProperty() requiresReview: boolean;
  @ApiProperty({ enum: ['offer', 'grab'] }) offerMode: 'offer' | 'grab';
  @ApiProperty() active: boolean;
}

export const ServicePage = PageOf(ServiceView);
