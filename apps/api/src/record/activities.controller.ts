import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { uuidParam } from '@xinyuan/common';
import { AuthUser, CurrentUser, Roles } from '@xinyuan/identity';
import { ActivitiesService } from '@xinyuan/record';
import { AttendanceDto, AttendByQrDto, CreateActivityDto, ListActivitiesQuery } from './record.dto';
import { ActivityView, SignupView } from './record.views';

/** Themed activities (月月有主题): staff create and mark attendance; volunteers sign up and scan the venue QR code. */
@ApiTags('service record 志愿服务记录')
@ApiBearerAuth()
@Controller('api/v1/activities')
export class ActivitiesController {
  constructor(private readonly activities: ActivitiesService) {}

  @Post()
  @Roles('dispatcher', 'admin')
  @ApiCreatedResponse({ type: ActivityView })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateActivityDto) {
    return this.activities.create(user, dto);
  }

  @Get()
  @Roles('volunteer', 'dispatcher', 'admin')
  @ApiOkResponse({ type: ActivityView, isArray: true })
  list(@CurrentUser() user: AuthUser, @Query() query: ListActivitiesQuery) {
    return this.activities.list(user, query.month);
  }

  @Get(':id')
  @Roles('volunteer', 'dispatcher', 'admin')
  @ApiOkResponse({ type: ActivityView })
  get(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    return this.activities.get(user, id);
  }

  @Get(':id/signups')
  @Roles('dispatcher', 'admin')
  @ApiOkResponse({ type: SignupView, isArray: true, description: 'confirmed first, then the waiting list in order, then cancellations' })
  signups(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    return this.activities.signups(user, id);
  }

  @Post(':id/signup')
  @Roles('volunteer')
  @HttpCode(200)
  @ApiOkResponse({ type: ActivityView, description: 'myStatus: confirmed within the capacity, waiting beyond it' })
  signUp(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    return this.activities.signUp(user, id);
  }

  @Post(':id/cancel-signup')
  @Roles('volunteer')
  @HttpCode(200)
  @ApiOkResponse({ type: ActivityView })
  cancel(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    return this.activities.cancel(user, id);
  }

  @Post(':id/attend')
  @Roles('volunteer')
  @HttpCode(200)
  @ApiOkResponse({ type: ActivityView })
  attend(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: AttendByQrDto) {
    return this.activities.attendByQr(user, id, dto);
  }

  @Post(':id/attendance')
  @Roles('dispatcher', 'admin')
  @HttpCode(200)
  @ApiOkResponse({ type: ActivityView })
  attendance(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: AttendanceDto) {
    return this.activities.attendByStaff(user, id, dto.volunteerIds);
  }
}
