import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiProduces, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { AppConfig } from '@xinyuan/config';
import { toCsv } from '../stats/dashboard';
import { toXlsx } from '../stats/xlsx-export';
import { ledgerTable, nationalTable } from './record-export';
import type { FastifyReply } from 'fastify';
import { checkIdempotencyKey, DomainException, ErrorCode, pageLimit, uuidParam } from '@xinyuan/common';
import { AuthUser, CurrentUser, Public, Roles } from '@xinyuan/identity';
import { Meta, RequestMeta } from '@xinyuan/audit';
import { CertificateService, ServiceRecordService, WalletService } from '@xinyuan/record';
import {
  ConfirmCreditDto, CorrectEntryDto, CorrectionRequestDto, DecideCorrectionDto, ListCorrectionRequestsQuery, ListCreditsQuery, RejectCreditDto,
  DonateDto, DrawDto, RedeemDto, RelativeDto, RevokeCertificateDto, TransferDto,
} from './record.dto';
import {
  CertificateCheckView, ConfirmedCreditView, CorrectionDecisionView, CorrectionRequestPage, CorrectionRequestView, CorrectionView, CreditPage,
  CreditView, RedemptionView, RelativesView, RelativeView, VolunteerRecordView, WalletView,
} from './record.views';

const LEDGER_ID = /^[1-9]\d{0,17}$/;

export class LedgerExportQuery {
  @ApiPropertyOptional({ enum: ['xlsx', 'csv', 'national'], default: 'xlsx', description: 'xlsx / csv: the ledger (台账); national: the CSV national volunteer systems import' })
  @IsOptional() @IsIn(['xlsx', 'csv', 'national']) format?: 'xlsx' | 'csv' | 'national';
}

const EXPORT_DOC = {
  description: 'a download (Content-Disposition: attachment): XLSX by default, CSV (UTF-8 with BOM) with format=csv or national',
  content: {
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } },
    'text/csv': { schema: { type: 'string', description: 'UTF-8 with BOM' } },
  },
} as const;

async function sendLedger(reply: FastifyReply, rows: Parameters<typeof ledgerTable>[0], format: string, timeZone: string, stem: string): Promise<void> {
  if (format === 'xlsx') {
    reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="${stem}.xlsx"`)
      .send(await toXlsx([ledgerTable(rows, timeZone)], 'zh', stem));
    return;
  }
  const table = format === 'national' ? nationalTable(rows, timeZone) : ledgerTable(rows, timeZone);
  reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${stem}-${format}.csv"`)
    .send(toCsv(table, 'zh'));
}

/** The volunteer's own service record (志愿服务记录), certificate and correction requests. */
@ApiTags('service record 志愿服务记录')
@ApiBearerAuth()
@Controller('api/v1/me')
export class MyRecordController {
  constructor(
    private readonly record: ServiceRecordService,
    private readonly certificates: CertificateService,
    private readonly config: AppConfig,
  ) {}

  @Get('service-record/export')
  @Roles('volunteer')
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv')
  @ApiOkResponse(EXPORT_DOC)
  async export(@CurrentUser() user: AuthUser, @Query() query: LedgerExportQuery, @Res() reply: FastifyReply): Promise<void> {
    const rows = await this.record.ledgerForExport({ volunteerId: user.id });
    await sendLedger(reply, rows, query.format ?? 'xlsx', this.config.STATS_TIME_ZONE, 'service-record');
  }

  @Get('service-record')
  @Roles('volunteer')
  @ApiOkResponse({ type: VolunteerRecordView })
  serviceRecord(@CurrentUser() user: AuthUser) {
    return this.record.record(user.id);
  }

  @Get('certificate')
  @Roles('volunteer')
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'a numbered 志愿服务记录证明 (PDF) with a QR code of its verify URL', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } })
  async certificate(@CurrentUser() user: AuthUser, @Meta() meta: RequestMeta, @Res() reply: FastifyReply): Promise<void> {
    const { number, pdf } = await this.certificates.issue(user, meta);
    reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `attachment; filename="${number}.pdf"`)
      .header('x-certificate-number', number)
      .send(pdf);
  }

  @Post('correction-requests')
  @Roles('volunteer')
  @ApiCreatedResponse({ type: CorrectionRequestView })
  requestCorrection(@CurrentUser() user: AuthUser, @Body() dto: CorrectionRequestDto) {
    return this.record.requestCorrection(user, dto);
  }

  @Get('correction-requests')
  @Roles('volunteer')
  @ApiOkResponse({ type: CorrectionRequestView, isArray: true })
  myRequests(@CurrentUser() user: AuthUser) {
    return this.record.myRequests(user);
  }
}

/** Staff review of the service record in their jurisdiction: pending and flagged minutes, corrections. */
@ApiTags('service record 志愿服务记录')
@ApiBearerAuth()
@Roles('dispatcher', 'admin')
@Controller('api/v1')
export class RecordReviewController {
  constructor(
    private readonly record: ServiceRecordService,
    private readonly config: AppConfig,
  ) {}

  /** The team's ledger (every row credited through the team) for the station's files, or the national import CSV. */
  @Get('teams/:id/service-ledger/export')
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv')
  @ApiOkResponse(EXPORT_DOC)
  async teamExport(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Query() query: LedgerExportQuery, @Res() reply: FastifyReply): Promise<void> {
    const rows = await this.record.ledgerForExport({ staff: user, teamId: id });
    await sendLedger(reply, rows, query.format ?? 'xlsx', this.config.STATS_TIME_ZONE, `team-ledger-${id.slice(0, 8)}`);
  }

  @Get('service-credits')
  @ApiOkResponse({ type: CreditPage })
  credits(@CurrentUser() user: AuthUser, @Query() query: ListCreditsQuery) {
    return this.record.listCredits(user, { status: query.status, flagged: query.flagged, limit: pageLimit(query), cursor: query.cursor });
  }

  @Post('service-credits/:id/confirm')
  @HttpCode(200)
  @ApiOkResponse({ type: ConfirmedCreditView })
  confirm(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: ConfirmCreditDto) {
    return this.record.confirmCredit(user, id, dto.note);
  }

  @Post('service-credits/:id/reject')
  @HttpCode(200)
  @ApiOkResponse({ type: CreditView })
  reject(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: RejectCreditDto) {
    return this.record.rejectCredit(user, id, dto.reason);
  }

  @Post('ledger-entries/:id/corrections')
  @ApiCreatedResponse({ type: CorrectionView })
  correct(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: CorrectEntryDto) {
    if (!LEDGER_ID.test(id)) throw DomainException.notFound(ErrorCode.LedgerEntryNotFound);
    return this.record.correct(user, id, dto);
  }

  @Get('correction-requests')
  @ApiOkResponse({ type: CorrectionRequestPage })
  requests(@CurrentUser() user: AuthUser, @Query() query: ListCorrectionRequestsQuery) {
    return this.record.listRequests(user, { status: query.status, limit: pageLimit(query), cursor: query.cursor });
  }

  @Post('correction-requests/:id/decide')
  @HttpCode(200)
  @ApiOkResponse({ type: CorrectionDecisionView })
  decide(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string, @Body() dto: DecideCorrectionDto) {
    return this.record.decide(user, id, dto);
  }
}

/** 志愿服务记录证明: anyone can check a number (the QR code); staff revoke. */
@ApiTags('service record 志愿服务记录')
@Controller('api/v1/certificates')
export class CertificatesController {
  constructor(private readonly certificates: CertificateService) {}

  @Public()
  @Get(':number')
  @ApiOkResponse({ type: CertificateCheckView, description: 'masked holder, hours, issuer, valid or revoked' })
  check(@Param('number') number: string) {
    return this.certificates.check(number);
  }

  @ApiBearerAuth()
  @Roles('dispatcher', 'admin')
  @Post(':number/revoke')
  @HttpCode(200)
  @ApiOkResponse({ type: CertificateCheckView })
  revoke(@CurrentUser() user: AuthUser, @Param('number') number: string, @Body() dto: RevokeCertificateDto, @Meta() meta: RequestMeta) {
    return this.certificates.revoke(user, number, dto.reason, meta);
  }
}

/** The volunteer's wallet: hours, points and banked time; 爱心超市 redemptions; time-bank transfers and donations. */
@ApiTags('service record 志愿服务记录')
@ApiBearerAuth()
@Roles('volunteer')
@Controller('api/v1/me')
export class WalletController {
  constructor(private readonly wallet: WalletService) {}

  @Get('wallet')
  @ApiOkResponse({ type: WalletView })
  get(@CurrentUser() user: AuthUser) {
    return this.wallet.wallet(user);
  }

  @Post('redemptions')
  @ApiCreatedResponse({ type: RedemptionView, description: 'the new redemption (or, replayed with the same Idempotency-Key, the first one)' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: '8–128 characters; a retry with the same key and body answers the same redemption, never a second debit' })
  async redeem(@CurrentUser() user: AuthUser, @Body() dto: RedeemDto, @Headers('idempotency-key') key: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const { replayed, ...redemption } = await this.wallet.redeem(user, dto, checkIdempotencyKey(key));
    if (replayed) reply.header('Idempotent-Replayed', 'true');
    return redemption;
  }

  @Get('redemptions')
  @ApiOkResponse({ type: RedemptionView, isArray: true })
  redemptions(@CurrentUser() user: AuthUser) {
    return this.wallet.myRedemptions(user);
  }

  @Post('wallet/transfer')
  @HttpCode(200)
  @ApiOkResponse({ type: WalletView })
  transfer(@CurrentUser() user: AuthUser, @Body() dto: TransferDto) {
    return this.wallet.transfer(user, dto);
  }

  @Post('wallet/donate')
  @HttpCode(200)
  @ApiOkResponse({ type: WalletView })
  donate(@CurrentUser() user: AuthUser, @Body() dto: DonateDto) {
    return this.wallet.donate(user, dto);
  }
}

/** 时间银行: relatives (named by both sides) and banked minutes drawn as care — by the volunteer, or by a relative they were given to. */
@ApiTags('service record 志愿服务记录')
@ApiBearerAuth()
@Roles('volunteer', 'resident')
@Controller('api/v1/me')
export class TimeBankController {
  constructor(private readonly wallet: WalletService) {}

  @Post('relatives')
  @HttpCode(200)
  @ApiOkResponse({ type: RelativesView, description: 'the same answer whether or not the number has an account; a relative is listed once both have named each other' })
  addRelative(@CurrentUser() user: AuthUser, @Body() dto: RelativeDto) {
    return this.wallet.addRelative(user, dto);
  }

  @Get('relatives')
  @ApiOkResponse({ type: RelativeView, isArray: true })
  relatives(@CurrentUser() user: AuthUser) {
    return this.wallet.relatives(user);
  }

  @Post('wallet/draw')
  @HttpCode(200)
  @ApiOkResponse({ type: WalletView, description: '422 DRAW_AGE_BELOW_MINIMUM when the person is younger than the pack allows' })
  draw(@CurrentUser() user: AuthUser, @Body() dto: DrawDto) {
    return this.wallet.draw(user, dto);
  }
}

/** 爱心超市 staff hand over a redemption against its pickup code. */
@ApiTags('service record 志愿服务记录')
@ApiBearerAuth()
@Roles('dispatcher', 'admin')
@Controller('api/v1/redemptions')
export class RedemptionsController {
  constructor(private readonly wallet: WalletService) {}

  @Post(':code/collect')
  @HttpCode(200)
  @ApiOkResponse({ type: RedemptionView })
  collect(@CurrentUser() user: AuthUser, @Param('code') code: string) {
    if (!/^[2-9A-HJKMNP-Z]{8}$/.test(code)) throw DomainException.notFound(ErrorCode.RedemptionNotFound);
    return this.wallet.collect(user, code);
  }
}
