import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Meta, RequestMeta } from '@xinyuan/audit';
import { CareCampaigns, CareCoverage, CarePlans, CareTemplates, CareWork } from '@xinyuan/care';
import { PageQuery, pageLimit, uuidParam } from '@xinyuan/common';
import { AuthUser, CurrentUser, Public } from '@xinyuan/identity';
import {
  CareAcknowledgeAlertDto, CareAlertsQuery, CareApplyTemplateDto, CareCoverageQuery, CareCreateCampaignDto, CarePutTemplateDto, CareTemplatesQuery, CareTemplateTagParam, CareCheckInDto, CareCompleteVisitDto, CareCreateDeviceKeyDto, CareDeviceCheckInDto, CarePutCarePlanDto, CareResolveAlertDto, CareVisitsQuery,
} from './care.dto';
import { CareCampaignList, CareCampaignView, CareTemplateList, CareTemplateView } from './care.views';
import { CareAlertPage, CareAlertView, CareCoverageView, CarePlanView, CareStatusView, CareVisitPage, CareVisitView, CareCheckInView, CareDeviceKeyView, CareDeviceKeyListItemView } from './care.views';

/**
 * 日走访周回访, 窗帘之约: care plans and check-ins of a person (under their profile), and the
 * alerts and visit tasks care makes. Care data are beneficiary data: the region's staff and grid
 * workers, the assignees, and the person's own or linked account (check-in and status only); others
 * get 404.
 */
@ApiTags('care 关爱')
@ApiBearerAuth()
@Controller('api/v1')
export class CareController {
  constructor(
    private readonly plans: CarePlans,
    private readonly work: CareWork,
    private readonly coverageQueries: CareCoverage,
    private readonly templates: CareTemplates,
    private readonly campaigns: CareCampaigns,
  ) {}

  @Get('care/templates')
  @ApiOperation({ summary: 'Plan templates by beneficiary tag of the caller\'s county (staff and grid workers)' })
  @ApiOkResponse({ type: CareTemplateList })
  listTemplates(@CurrentUser() user: AuthUser, @Query() q: CareTemplatesQuery) {
    return this.templates.list(user, q.countyId);
  }

  @Put('care/templates/:tag')
  @ApiOperation({ summary: 'Set the county\'s template for a tag (county admin): daily check-in and duties' })
  @ApiOkResponse({ type: CareTemplateView })
  putTemplate(@CurrentUser() user: AuthUser, @Param() p: CareTemplateTagParam, @Body() dto: CarePutTemplateDto) {
    return this.templates.put(user, p.tag, dto);
  }

  @Delete('care/templates/:tag')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove the county\'s template for a tag (county admin); plans made from it stay' })
  async deleteTemplate(@CurrentUser() user: AuthUser, @Param() p: CareTemplateTagParam, @Query() q: CareTemplatesQuery) {
    await this.templates.remove(user, p.tag, q.countyId);
  }

  @Post('beneficiaries/:id/care-plan/apply-template')
  @HttpCode(200)
  @ApiOperation({ summary: 'Apply the county\'s template for a tag to the person: its duties are added to the plan (then adjust it with PUT care-plan)' })
  @ApiOkResponse({ type: CarePlanView })
  applyTemplate(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: CareApplyTemplateDto) {
    return this.templates.apply(user, id, dto);
  }

  @Post('care/campaigns')
  @ApiOperation({ summary: '走访活动 (五必访, 寒潮, 高温, 节日): one visit task per matching person; the same clientKey again answers the first campaign (header Idempotent-Replayed: true)' })
  @ApiCreatedResponse({ type: CareCampaignView })
  async createCampaign(@CurrentUser() user: AuthUser, @Body() dto: CareCreateCampaignDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const { campaign, created } = await this.campaigns.create(user, dto);
    if (!created) reply.header('Idempotent-Replayed', 'true');
    return campaign;
  }

  @Get('care/campaigns')
  @ApiOperation({ summary: 'Campaigns in the caller\'s jurisdiction, newest first, with progress' })
  @ApiOkResponse({ type: CareCampaignList })
  listCampaigns(@CurrentUser() user: AuthUser, @Query() q: PageQuery) {
    return this.campaigns.list(user, { limit: pageLimit(q) });
  }

  @Get('care/campaigns/:id')
  @ApiOkResponse({ type: CareCampaignView })
  getCampaign(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Meta() meta: RequestMeta) {
    return this.campaigns.get(user, id, meta);
  }

  @Get('care/coverage')
  @ApiOperation({ summary: 'Coverage for officials over their jurisdiction: plans, check-ins, visits against policy, people not seen, alerts, 回访' })
  @ApiOkResponse({ type: CareCoverageView })
  coverage(@CurrentUser() user: AuthUser, @Query() q: CareCoverageQuery, @Meta() meta: RequestMeta) {
    return this.coverageQueries.coverage(user, meta, { regionId: q.regionId });
  }

  @Put('beneficiaries/:id/care-plan')
  @ApiOperation({ summary: 'Set the care plan (replaces it): daily check-in deadline and recurring visits' })
  @ApiOkResponse({ type: CarePlanView })
  putPlan(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: CarePutCarePlanDto) {
    return this.plans.put(user, id, dto);
  }

  @Get('beneficiaries/:id/care-plan')
  @ApiOkResponse({ type: CarePlanView })
  getPlan(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Meta() meta: RequestMeta) {
    return this.plans.get(user, id, meta);
  }

  @Post('beneficiaries/:id/check-ins')
  @ApiOperation({ summary: '报平安: the person, a linked family account, a neighbour, a grid worker' })
  @ApiCreatedResponse({ type: CareCheckInView })
  checkIn(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: CareCheckInDto) {
    return this.plans.checkIn(user, id, dto);
  }

  @Get('beneficiaries/:id/care-status')
  @ApiOperation({ summary: 'Checked in today? An open alert? (own or linked account, officials)' })
  @ApiOkResponse({ type: CareStatusView })
  status(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Meta() meta: RequestMeta) {
    return this.plans.status(user, id, meta);
  }

  @Post('beneficiaries/:id/care-devices')
  @ApiOperation({ summary: 'A key for a device or meter feed that posts check-ins (shown once)' })
  @ApiCreatedResponse({ type: CareDeviceKeyView })
  createDevice(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: CareCreateDeviceKeyDto) {
    return this.plans.createDeviceKey(user, id, dto.name);
  }

  @Get('beneficiaries/:id/care-devices')
  @ApiOperation({ summary: 'The person\'s device keys (never the key itself), revoked ones included' })
  @ApiOkResponse({ type: [CareDeviceKeyListItemView] })
  listDevices(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Meta() meta: RequestMeta) {
    return this.plans.listDeviceKeys(user, id, meta);
  }

  @Delete('beneficiaries/:id/care-devices/:deviceId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a device key: its check-ins get 401 from now on (the key and its past check-ins stay listed)' })
  @ApiNoContentResponse({ description: 'revoked (also when it already was)' })
  async revokeDevice(
    @CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Param('deviceId', uuidParam('deviceId')) deviceId: string, @Meta() meta: RequestMeta,
  ): Promise<void> {
    await this.plans.revokeDeviceKey(user, id, deviceId, meta);
  }

  @Public()
  @Post('care/device-check-ins')
  @ApiOperation({ summary: 'A device or meter feed says "usage seen today" (X-Device-Key)' })
  @ApiHeader({ name: 'x-device-key', required: true })
  @ApiCreatedResponse({ type: CareCheckInView })
  deviceCheckIn(@Headers('x-device-key') key: string | undefined, @Body() dto: CareDeviceCheckInDto) {
    return this.plans.deviceCheckIn(key, dto.note ?? null);
  }

  @Get('care/alerts')
  @ApiOkResponse({ type: CareAlertPage })
  alerts(@CurrentUser() user: AuthUser, @Query() q: CareAlertsQuery, @Meta() meta: RequestMeta) {
    return this.work.alerts(user, { status: q.status, beneficiaryId: q.beneficiaryId, limit: pageLimit(q), cursor: q.cursor }, meta);
  }

  @Post('care/alerts/:id/resolve')
  @HttpCode(200)
  @ApiOkResponse({ type: CareAlertView })
  resolve(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: CareResolveAlertDto) {
    return this.work.resolve(user, id, dto);
  }

  @Post('care/alerts/:id/acknowledge')
  @HttpCode(200)
  @ApiOperation({ summary: 'Someone is on it: the ladder stops climbing' })
  @ApiOkResponse({ type: CareAlertView })
  acknowledge(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: CareAcknowledgeAlertDto) {
    return this.work.acknowledge(user, id, dto.note);
  }

  @Get('care/visits')
  @ApiOkResponse({ type: CareVisitPage })
  visits(@CurrentUser() user: AuthUser, @Query() q: CareVisitsQuery, @Meta() meta: RequestMeta) {
    return this.work.visits(user, { due: q.due, status: q.status, beneficiaryId: q.beneficiaryId, kind: q.kind, campaignId: q.campaignId, limit: pageLimit(q), cursor: q.cursor }, meta);
  }

  @Post('care/visits/:id/complete')
  @HttpCode(200)
  @ApiOkResponse({ type: CareVisitView })
  complete(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: CareCompleteVisitDto) {
    return this.work.complete(user, id, dto);
  }
}
