import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Meta, RequestMeta } from '@xinyuan/audit';
import { BeneficiaryService } from '@xinyuan/beneficiaries';
import { pageLimit, uuidParam } from '@xinyuan/common';
import { AuthUser, CurrentUser } from '@xinyuan/identity';
import { CreateBeneficiaryDto, ListBeneficiariesQuery, UpdateBeneficiaryDto } from './beneficiaries.dto';
import { BeneficiaryPage, BeneficiaryView } from './beneficiaries.views';

/**
 * 一人一档: profiles of the people served. Residents record themselves and family; grid workers and
 * staff the people of their jurisdiction. Others' profiles answer 404. Reads and writes are audited.
 */
@ApiTags('beneficiaries 服务对象')
@ApiBearerAuth()
@Controller('api/v1/beneficiaries')
export class BeneficiariesController {
  constructor(private readonly beneficiaries: BeneficiaryService) {}

  @Post()
  @ApiCreatedResponse({ type: BeneficiaryView })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateBeneficiaryDto) {
    return this.beneficiaries.create(user, dto);
  }

  @Get()
  @ApiOkResponse({ type: BeneficiaryPage })
  list(@CurrentUser() user: AuthUser, @Query() query: ListBeneficiariesQuery, @Meta() meta: RequestMeta) {
    return this.beneficiaries.list(user, { tag: query.tag, q: query.q, limit: pageLimit(query), cursor: query.cursor }, meta);
  }

  @Get(':id')
  @ApiOkResponse({ type: BeneficiaryView })
  get(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Meta() meta: RequestMeta) {
    return this.beneficiaries.get(user, id, meta);
  }

  @Patch(':id')
  @ApiOkResponse({ type: BeneficiaryView })
  update(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: UpdateBeneficiaryDto) {
    return this.beneficiaries.update(user, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'archived' })
  async archive(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string): Promise<void> {
    await this.beneficiaries.archive(user, id);
  }
}
