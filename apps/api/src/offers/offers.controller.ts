import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQuery, pageLimit, uuidParam } from '@xinyuan/common';
import { OFFER_STATUSES, OfferQueries, OfferResponsesUseCase, OfferStatus } from '@xinyuan/dispatch';
import { AuthUser, CurrentUser } from '@xinyuan/identity';
import { metrics } from '@xinyuan/observability';
import { AuditLog, Meta, RequestMeta } from '@xinyuan/audit';
import { OrderQueries } from '@xinyuan/orders';
import { readOrderAudited } from '../orders/orders.controller';
import { OptionalReasonDto } from '../orders/orders.dto';
import { OrderView } from '../orders/orders.views';
import { DeclinedOffer, OfferPage } from './offers.views';

class ListOffersQuery extends PageQuery {
  @ApiPropertyOptional({ enum: OFFER_STATUSES }) @IsOptional() @IsIn(OFFER_STATUSES as unknown as string[]) status?: OfferStatus;
}

/** 接单: offers to the caller's teams. Membership is checked per offer, whatever the caller's role. */
@ApiTags('offers 接单')
@ApiBearerAuth()
@Controller('api/v1/offers')
export class OffersController {
  constructor(
    private readonly offers: OfferQueries,
    private readonly responses: OfferResponsesUseCase,
    private readonly orders: OrderQueries,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  @ApiOkResponse({ type: OfferPage })
  list(@CurrentUser() user: AuthUser, @Query() query: ListOffersQuery) {
    return this.offers.listForMember(user, { status: query.status, limit: pageLimit(query), cursor: query.cursor });
  }

  @Post(':id/accept')
  @HttpCode(200)
  @ApiOkResponse({ type: OrderView, description: 'the order, now accepted' })
  async accept(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Meta() meta: RequestMeta) {
    const { orderId } = await this.responses.accept(id, user);
    metrics.offers.inc({ event: 'accepted' });
    return readOrderAudited(this.orders, this.audit, orderId, user, meta);
  }

  @Post(':id/decline')
  @HttpCode(200)
  @ApiOkResponse({ type: DeclinedOffer })
  async decline(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: OptionalReasonDto) {
    const { orderId } = await this.responses.decline(id, user, dto.reason);
    metrics.offers.inc({ event: 'declined' });
    return { offerId: id, orderId, status: 'declined' };
  }
}
