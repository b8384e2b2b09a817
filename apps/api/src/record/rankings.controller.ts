import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { uuidParam } from '@xinyuan/common';
import { AuthUser, CurrentUser, Roles } from '@xinyuan/identity';
import { ServiceRecordService, TeamRankingService } from '@xinyuan/record';
import { ListActivitiesQuery } from './record.dto';
import { MemberStarsView, TeamRankingsView } from './record.views';

/** 五星服务队: the monthly team ranking of each county; members' star levels for the team page. */
@ApiTags('service record 志愿服务记录')
@ApiBearerAuth()
@Controller('api/v1/teams')
export class TeamRankingsController {
  constructor(
    private readonly rankings: TeamRankingService,
    private readonly record: ServiceRecordService,
  ) {}

  @Get('rankings')
  @Roles('volunteer', 'dispatcher', 'admin')
  @ApiOkResponse({ type: TeamRankingsView, description: 'the teams the caller may see, ranked within their county for the month (default: this month)' })
  list(@CurrentUser() user: AuthUser, @Query() query: ListActivitiesQuery) {
    return this.rankings.rankings(user, query.month);
  }

  @Get(':id/star-levels')
  @Roles('dispatcher', 'admin')
  @ApiOkResponse({ type: MemberStarsView, isArray: true })
  stars(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    return this.record.memberStars(user, id);
  }
}
