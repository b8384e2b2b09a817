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
  @ApiProperty({ minimum: 0, maximum: 60, description: 'seconds a non-urgent, not imminent order may wait for batch matching; 0: none of its own' }) batchWindowSeconds: number;
  @ApiProperty({ enum: ['offer', 'grab'] }) offerMode: 'offer' | 'grab';
  @ApiProperty() active: boolean;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'null: deployment-wide; else the county whose own item it is (ordered only inside it)' })
  regionId: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'name of that county' }) regionName: string | null;
}

export const ServicePage = PageOf(ServiceView);

/** A menu item in the staff list, with whether the caller may edit it. */
export class StaffServiceView extends ServiceView {
  @ApiProperty({ description: 'the caller may edit it (deployment-wide items: the everything-scope admin; a county\'s: its county-wide admins)' })
  editable: boolean;
}

export class SkillLabelView {
  @ApiProperty({ example: 'meal_delivery' }) code: string;
  @ApiProperty({ type: String, nullable: true, example: '助餐送餐', description: 'null until an admin labels it' }) zh: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Meal delivery' }) en: string | null;
  @ApiProperty({ description: 'teams carrying it' }) teams: number;
  @ApiProperty({ description: 'menu items requiring it' }) services: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updatedAt: string | null;
}

export class SkillLabelList {
  @ApiProperty({ type: [SkillLabelView] }) items: SkillLabelView[];
}
