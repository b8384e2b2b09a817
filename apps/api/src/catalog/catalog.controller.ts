import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { DomainException } from '@xinyuan/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CatalogService } from '@xinyuan/catalog';
import { AuthUser, CurrentUser, OptionalAuth, Roles } from '@xinyuan/identity';
import { CreateServiceDto, MenuQuery } from './catalog.dto';
import { ServicePage, ServiceView } from './catalog.views';

@ApiTags('menu 服务菜单')
@Controller('api/v1/services')
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @OptionalAuth()
  @ApiBearerAuth()
  @Get()
  @ApiOkResponse({ type: ServicePage })
  @ApiOperation({
    summary: 'The public menu: deployment-wide items and those of the caller\'s county',
    description: 'The county is that of `regionId`, else of the point `lat`,`lng`, else (signed in) of the caller\'s latest order, '
      + 'recorded profiles and own region, else the deployment\'s only county. A token is optional; one that is sent must be valid.',
  })
  async list(@CurrentUser() user: AuthUser | undefined, @Query() query: MenuQuery) {
    if ((query.lat === undefined) !== (query.lng === undefined)) {
      throw DomainException.validation([{ field: query.lat === undefined ? 'lat' : 'lng', messages: ['lat and lng go together'] }]);
    }
    const location = query.lat !== undefined && query.lng !== undefined ? { lat: query.lat, lng: query.lng } : undefined;
    const counties = await this.catalog.menuCounties({ regionId: query.regionId, location, user });
    return this.catalog.listActive(counties, query.limit ?? 100, query.cursor);
  }

  @ApiBearerAuth()
  @Roles('admin')
  @Post()
  @ApiCreatedResponse({ type: ServiceView })
  @ApiOperation({ summary: 'Add a menu item: the everything-scope admin adds deployment-wide items (or a county\'s, with regionId); a county-wide admin adds their county\'s' })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateServiceDto) {
    return this.catalog.create(user, dto);
  }
}
