import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuditLog, Meta, RequestMeta } from '@xinyuan/audit';
import { checkIdempotencyKey, pageLimit, uuidParam } from '@xinyuan/common';
import { AuthUser, CurrentUser } from '@xinyuan/identity';
import { OrderLifecycleUseCase, OrderQueries, PlaceOrderUseCase, toOrderView } from '@xinyuan/orders';
import { CheckInDto, CheckOutDto, CompleteDto, ListOrdersQuery, PlaceOrderDto, ReasonDto } from './orders.dto';
import { OrderPage, OrderView } from './orders.views';

/**
 * The order as the caller may see it. An order for a beneficiary carries their address and phone:
 * every answer that shows them (a read, and the answers of accept, check-in, completion, cancel) is
 * audited as `order.read` before it is returned.
 */
export async function readOrderAudited(queries: OrderQueries, audit: AuditLog, id: string, user: AuthUser, meta: RequestMeta) {
  const view = await queries.get(id, user);
  if (view.beneficiaryId && view.address !== undefined) {
    await audit.record({ actor: user, action: 'order.read', objectType: 'order', objectId: id, regionId: view.regionId, outcome: 'success', statusCode: 200, meta,
      data: { beneficiaryId: view.beneficiaryId } });
  }
  return view;
}


@ApiTags('orders 点单')
@ApiBearerAuth()
@Controller('api/v1/orders')
export class OrdersController {
  constructor(
    private readonly placeOrder: PlaceOrderUseCase,
    private readonly queries: OrderQueries,
    private readonly lifecycle: OrderLifecycleUseCase,
    private readonly audit: AuditLog,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: OrderView, description: 'the new order (or, replayed with the same Idempotency-Key, the order as it is now)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: '8–128 characters; a retry with the same key and body returns the same order' })
  async place(
    @CurrentUser() user: AuthUser,
    @Body() dto: PlaceOrderDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const placed = await this.placeOrder.execute(user, dto, checkIdempotencyKey(key));
    if (placed.replayed) {
      reply.header('Idempotent-Replayed', 'true');
      return this.queries.get(placed.order.id, user);
    }
    return toOrderView(placed.order, 'full', {
      serviceName: placed.serviceName!,
      area: placed.area ?? null,
      teamName: null,
      contactPhone: placed.contactPhone,
      timeline: [placed.placedEvent!],
    });
  }

  /** Residents: their own orders; grid workers: also those of their grid's beneficiaries; staff: their jurisdiction's. */
  @Get()
  @ApiOkResponse({ type: OrderPage })
  async list(@CurrentUser() user: AuthUser, @Query() query: ListOrdersQuery, @Meta() meta: RequestMeta) {
    const page = await this.queries.list(user, { mine: query.mine, assigned: query.assigned, status: query.status, limit: pageLimit(query), cursor: query.cursor });
    // the address of a beneficiary is their personal data: a list that shows one is audited
    const forBeneficiaries = page.items.filter((o) => o.beneficiaryId && o.address !== undefined).map((o) => o.id);
    if (forBeneficiaries.length) {
      await this.audit.record({ actor: user, action: 'order.list', objectType: 'order', objectId: null, outcome: 'success', statusCode: 200, meta, data: { ids: forBeneficiaries } });
    }
    return page;
  }

  @Get(':id')
  @ApiOkResponse({ type: OrderView })
  async get(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Meta() meta: RequestMeta) {
    return readOrderAudited(this.queries, this.audit, id, user, meta);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: OrderView })
  async cancel(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: ReasonDto, @Meta() meta: RequestMeta) {
    await this.lifecycle.cancel(id, user, dto.reason);
    return readOrderAudited(this.queries, this.audit, id, user, meta);
  }

  @Post(':id/check-in')
  @HttpCode(200)
  @ApiOkResponse({ type: OrderView })
  async checkIn(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: CheckInDto, @Meta() meta: RequestMeta) {
    await this.lifecycle.checkIn(id, user, dto);
    return readOrderAudited(this.queries, this.audit, id, user, meta);
  }

  /** 签退: ends the service with the place the volunteer leaves from; the minutes are measured check-in → check-out. */
  @Post(':id/check-out')
  @HttpCode(200)
  @ApiOkResponse({ type: OrderView })
  async checkOut(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: CheckOutDto, @Meta() meta: RequestMeta) {
    await this.lifecycle.checkOut(id, user, dto.location);
    return readOrderAudited(this.queries, this.audit, id, user, meta);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ApiOkResponse({ type: OrderView })
  async complete(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: CompleteDto, @Meta() meta: RequestMeta) {
    await this.lifecycle.complete(id, user, dto);
    return readOrderAudited(this.queries, this.audit, id, user, meta);
  }
}
