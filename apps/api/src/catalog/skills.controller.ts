import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { SkillLabels } from '@xinyuan/catalog';
import { AuthUser, CurrentUser, Roles } from '@xinyuan/identity';
import { OrgAdminService } from '@xinyuan/org';
import { SkillLabelList, SkillLabelView } from './catalog.views';

const SKILL = /^[a-z][a-z0-9_]{1,39}$/;
/** Some text that is not only spaces. */
const NOT_BLANK = /\S/;

export class LabelSkillDto {
  @ApiProperty({ example: '助餐送餐', maxLength: 40 }) @IsString() @MaxLength(40) @Matches(NOT_BLANK, { message: 'zh must not be empty' }) zh: string;
  @ApiProperty({ example: 'Meal delivery', maxLength: 60 }) @IsString() @MaxLength(60) @Matches(NOT_BLANK, { message: 'en must not be empty' }) en: string;
}

class SkillCodeParam {
  @ApiProperty({ example: 'meal_delivery' }) @Matches(SKILL, { message: 'code must be a snake_case skill id' }) code: string;
}

/** Labels of skill ids in both languages: read by every signed-in screen, edited by the admins who edit the menu. */
@ApiTags('menu 服务菜单')
@ApiBearerAuth()
@Controller('api/v1/skills')
export class SkillsController {
  constructor(
    private readonly skills: SkillLabels,
    private readonly org: OrgAdminService,
  ) {}

  @Get()
  @ApiOkResponse({ type: SkillLabelList })
  @ApiOperation({ summary: 'Every skill id (labelled, or carried by a team, volunteer or menu item) with its Chinese and English label' })
  async list() {
    return { items: await this.skills.list() };
  }

  @Roles('admin')
  @Put(':code')
  @ApiOkResponse({ type: SkillLabelView })
  @ApiOperation({ summary: 'Set the labels of a skill (county-wide admins, like the menu); 404 SKILL_NOT_FOUND for an id nothing carries' })
  async label(@CurrentUser() user: AuthUser, @Param() param: SkillCodeParam, @Body() dto: LabelSkillDto) {
    await this.org.requireCountyWide(user);
    return this.skills.label(param.code, dto, user.id);
  }
}
