import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { PageQuery } from '@xinyuan/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CatalogService } from '@xinyuan/catalog';
import { AuthUser, CurrentUser, Public, Roles } from '@xinyuan/identity';
import { OrgAdminService } from '@xinyuan/org';
import { CreateServiceDto } from './catalog.dto';
import { ServicePage, ServiceView } from './catalog.views';

@ApiTags('menu 服务菜单')
@Controller('api/v1/services')
export class CatalogController {
  constructor(
    private readonly catalog: CatalogService,
    private readonly org: OrgAdminService,
  ) {}

  @Public()
  @Get()
  @ApiOkResponse({ type: ServicePage })
  list(@Query() query: PageQuery) {
    return this.catalog.listActive(query.limit ?? 100, query.cursor);
  }

  @ApiBearerAuth()
  @Roles('admin')
  @Post()
  @ApiCreatedResponse({ type: ServiceView })
  async create(@CurrentUser() user: AuthUser, @Body() dto: CreateServiceDto) {
    await this.org.requireCountyWide(user);
    return this.catalog.create(dto);
  }
}
