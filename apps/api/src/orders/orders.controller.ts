import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DomainException, pageLimit, uuidParam } from '@xinyuan/common';
import { AuthUser, CurrentUser } from '@xinyuan/identity';
import { OrderLifecycleUseCase, OrderQueries, PlaceOrderUseCase, toOrderView } from '@xinyuan/orders';
import { CheckInDto, CompleteDto, ListOrdersQuery, PlaceOrderDto, ReasonDto } from './orders.dto';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

@ApiTags('orders 点单')
@ApiBearerAuth()
@Controller('api/v1/orders')
export class OrdersController {
  constructor(
    private readonly placeOrder: PlaceOrderUseCase,
    private readonly queries: OrderQueries,
    private readonly lifecycle: OrderLifecycleUseCase,
  ) {}

  @Post()
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: '8–128 characters; a retry with the same key and body returns the same order' })
  async place(
    @CurrentUser() user: AuthUser,
    @Body() dto: PlaceOrderDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw DomainException.validation([{ field: 'Idempotency-Key', messages: ['must be 8–128 characters of [A-Za-z0-9_.:-]'] }]);
    }
    const placed = await this.placeOrder.execute(user, dto, key);
    if (placed.replayed) {
      reply.header('Idempotent-Replayed', 'true');
      return this.queries.get(placed.order.id, user);
    }
    return toOrderView(placed.order, 'full', {
      serviceName: placed.serviceName!,
      area: placed.area ?? null,
      teamName: null,
      timeline: [placed.placedEvent!],
    });
  }

  @Get()
  list(@CurrentUser() user: AuthUser, @Query() query: ListOrdersQuery) {
    return this.queries.list(user, { mine: query.mine, assigned: query.assigned, status: query.status, limit: pageLimit(query), cursor: query.cursor });
  }

  @Get(':id')
  get(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    return this.queries.get(id, user);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  async cancel(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: ReasonDto) {
    await this.lifecycle.cancel(id, user, dto.reason);
    return this.queries.get(id, user);
  }

  @Post(':id/check-in')
  @HttpCode(200)
  async checkIn(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: CheckInDto) {
    await this.lifecycle.checkIn(id, user, dto.location);
    return this.queries.get(id, user);
  }

  @Post(':id/complete')
  @HttpCode(200)
  async complete(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: CompleteDto) {
    await this.lifecycle.complete(id, user, dto);
    return this.queries.get(id, user);
  }
}
