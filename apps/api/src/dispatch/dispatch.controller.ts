import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQuery, pageLimit, uuidParam } from '@xinyuan/common';
import { AssignableTeams, AssignOrderUseCase, OfferQueries } from '@xinyuan/dispatch';
import { AuthUser, CurrentUser, Roles } from '@xinyuan/identity';
import { OrderLifecycleUseCase, OrderQueries } from '@xinyuan/orders';
import { ApproveDto, AssignableTeamsQuery, AssignDto, ReasonDto } from '../orders/orders.dto';
import { OrderView } from '../orders/orders.views';
import { AssignableTeamPage, AssignedOffer, CandidateList, DispatchQueuePage } from './dispatch.views';

/** 派单: staff work the queue of orders that need a person, inside their jurisdiction (others' orders: 404). */
@ApiTags('dispatch 派单')
@ApiBearerAuth()
@Roles('dispatcher', 'admin')
@Controller('api/v1')
export class DispatchController {
  constructor(
    private readonly offers: OfferQueries,
    private readonly assign: AssignOrderUseCase,
    private readonly lifecycle: OrderLifecycleUseCase,
    private readonly orders: OrderQueries,
    private readonly assignable: AssignableTeams,
  ) {}

  @Get('dispatch/queue')
  @ApiOkResponse({ type: DispatchQueuePage })
  queue(@CurrentUser() user: AuthUser, @Query() query: PageQuery) {
    return this.offers.dispatchQueue(user, { limit: pageLimit(query), cursor: query.cursor });
  }

  @Get('orders/:id/candidates')
  @ApiOkResponse({ type: CandidateList })
  candidates(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    return this.offers.candidates(user, id);
  }

  @Get('orders/:id/assignable-teams')
  @ApiOkResponse({ type: AssignableTeamPage })
  @ApiOperation({ summary: 'Manual 派单: active teams of the caller\'s jurisdiction by name, nearest first, misfits flagged; and the offers pending now' })
  assignableTeams(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Query() query: AssignableTeamsQuery) {
    return this.assignable.search(user, id, { q: query.q, limit: pageLimit(query), cursor: query.cursor });
  }

  @Post('orders/:id/assign')
  @ApiCreatedResponse({ type: AssignedOffer })
  @ApiOperation({ summary: 'Offer the order to a team by hand; a pending offer of another team is withdrawn only when named in withdrawOfferIds (else 409 OFFER_PENDING)' })
  assignOrder(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: AssignDto) {
    return this.assign.execute(
      { orderId: id, teamId: dto.teamId, note: dto.note, withdrawOfferIds: dto.withdrawOfferIds, allowMissingSkills: dto.allowMissingSkills },
      user,
    );
  }

  @Post('orders/:id/approve')
  @HttpCode(200)
  @ApiOkResponse({ type: OrderView })
  async approve(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: ApproveDto) {
    await this.lifecycle.approve(id, user, dto.note);
    return this.orders.get(id, user);
  }

  @Post('orders/:id/reject')
  @HttpCode(200)
  @ApiOkResponse({ type: OrderView })
  async reject(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: ReasonDto) {
    await this.lifecycle.reject(id, user, dto.reason);
    return this.orders.get(id, user);
  }
}
