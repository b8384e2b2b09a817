import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { uuidParam } from '@xinyuan/common';
import { AuthUser, CurrentUser, Roles } from '@xinyuan/identity';
import { RedemptionCatalogueService } from '@xinyuan/record';
import { CreateRedemptionItemDto, ListRedemptionItemsQuery, UpdateRedemptionItemDto } from './record.dto';

export class RedemptionItemView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', description: 'the region whose 爱心超市 offers it' }) regionId: string;
  @ApiProperty({ type: String, nullable: true, description: 'the region’s name' }) area: string | null;
  @ApiProperty({ example: '大米 5 斤' }) name: string;
  @ApiProperty({ description: 'points price of one' }) points: number;
  @ApiProperty({ description: 'false once retired (no longer offered)' }) active: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) retiredAt: string | null;
}

/** What the volunteer's 爱心超市 offers: active items of their region and the regions above it. */
@ApiTags('service record 志愿服务记录')
@ApiBearerAuth()
@Roles('volunteer')
@Controller('api/v1/me')
export class MyRedemptionItemsController {
  constructor(private readonly catalogue: RedemptionCatalogueService) {}

  @Get('redemption-items')
  @ApiOkResponse({ type: RedemptionItemView, isArray: true })
  offered(@CurrentUser() user: AuthUser) {
    return this.catalogue.offered(user);
  }
}

/** 爱心超市 catalogue, kept by staff of each region: items and their points price; retired items are no longer offered. */
@ApiTags('service record 志愿服务记录')
@ApiBearerAuth()
@Roles('dispatcher', 'admin')
@Controller('api/v1/redemption-items')
export class RedemptionItemsController {
  constructor(private readonly catalogue: RedemptionCatalogueService) {}

  @Get()
  @ApiOkResponse({ type: RedemptionItemView, isArray: true })
  list(@CurrentUser() user: AuthUser, @Query() query: ListRedemptionItemsQuery) {
    return this.catalogue.list(user, query);
  }

  @Post()
  @ApiCreatedResponse({ type: RedemptionItemView })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateRedemptionItemDto) {
    return this.catalogue.create(user, dto);
  }

  @Get(':id')
  @ApiOkResponse({ type: RedemptionItemView })
  get(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    return this.catalogue.get(user, id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: RedemptionItemView, description: 'a new name or price applies to later redemptions only' })
  update(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: UpdateRedemptionItemDto) {
    return this.catalogue.update(user, id, dto);
  }

  @Post(':id/retire')
  @HttpCode(200)
  @ApiOkResponse({ type: RedemptionItemView, description: 'no longer offered; redemptions already made are still collected' })
  retire(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    return this.catalogue.retire(user, id);
  }
}
