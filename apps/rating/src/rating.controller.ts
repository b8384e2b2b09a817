import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { uuidParam } from '@xinyuan/common';
import { AuthUser, CurrentUser, Public } from '@xinyuan/identity';
import { RateOrderUseCase, ReputationQueries } from '@xinyuan/rating';
import { RateOrderDto } from './rating.dto';
import { RatingHealth, RatingView, TeamReputation } from './rating.views';

@ApiTags('ratings 评单')
@Controller()
export class RatingController {
  constructor(
    private readonly rate: RateOrderUseCase,
    private readonly reputation: ReputationQueries,
    private readonly dataSource: DataSource,
  ) {}

  @ApiBearerAuth()
  @Post('api/v1/orders/:id/rating')
  @ApiCreatedResponse({ type: RatingView, description: 'the rating; the order is now closed' })
  rateOrder(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: RateOrderDto) {
    return this.rate.execute(id, user, dto);
  }

  @ApiBearerAuth()
  @Get('api/v1/teams/:id/reputation')
  @ApiOkResponse({ type: TeamReputation })
  teamReputation(@Param('id', uuidParam()) id: string) {
    return this.reputation.forTeam(id);
  }

  @Public()
  @Get('health')
  @ApiOkResponse({ type: RatingHealth })
  async health() {
    await this.dataSource.query('SELECT 1');
    return { status: 'ok', app: 'rating' };
  }
}
