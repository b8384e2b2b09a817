import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { AuditLog, Meta, RequestMeta } from '@xinyuan/audit';
import { AuthUser, CurrentUser, Roles } from '@xinyuan/identity';
import { OrderLedgerExport } from '@xinyuan/imports';
import { XLSX_TYPE } from './imports.controller';

export class LedgerQuery {
  @ApiPropertyOptional({ example: '2026-11-01', description: 'first day (STATS_TIME_ZONE); default: 30 days before `to`' })
  @IsOptional() @Matches(/^\d{4}-\d{2}-\d{2}$/) from?: string;
  @ApiPropertyOptional({ example: '2026-11-30', description: 'last day, inclusive; default: today' })
  @IsOptional() @Matches(/^\d{4}-\d{2}-\d{2}$/) to?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'orders of this region and everything beneath it' }) @IsOptional() @IsUUID() regionId?: string;
  @ApiPropertyOptional({ description: 'one menu item' }) @IsOptional() @IsString() @MaxLength(64) serviceCode?: string;
  @ApiPropertyOptional({ enum: ['xlsx', 'csv'], default: 'xlsx' }) @IsOptional() @IsIn(['xlsx', 'csv']) format?: 'xlsx' | 'csv';
}

/** 台账: the itemised ledger of orders, streamed as XLSX or CSV (staff, their jurisdiction). */
@ApiTags('exports 台账')
@ApiBearerAuth()
@Roles('dispatcher', 'admin')
@Controller('api/v1/exports')
export class ExportsController {
  constructor(
    private readonly ledger: OrderLedgerExport,
    private readonly audit: AuditLog,
  ) {}

  @Get('orders')
  @ApiOperation({ summary: 'One row per order: date, service, area, team, volunteers, minutes, rating, solved (streamed)' })
  @ApiProduces(XLSX_TYPE, 'text/csv')
  @ApiOkResponse({
    description: 'a download (Content-Disposition: attachment): XLSX by default, CSV with format=csv',
    content: { [XLSX_TYPE]: { schema: { type: 'string', format: 'binary' } }, 'text/csv': { schema: { type: 'string', description: 'UTF-8 with BOM' } } },
  })
  async orders(@CurrentUser() user: AuthUser, @Query() query: LedgerQuery, @Meta() meta: RequestMeta, @Res() reply: FastifyReply): Promise<void> {
    const { from, to } = this.ledger.period(query.from, query.to);
    const filter = { from, to, regionId: query.regionId, serviceCode: query.serviceCode };
    await this.ledger.check(user, filter);
    const format = query.format ?? 'xlsx';
    await this.audit.record({ actor: user, action: 'orders.export', objectType: 'order', objectId: null, outcome: 'success', statusCode: 200, meta, data: { ...filter, format } });
    const stream = await this.ledger.stream(user, filter, format);
    const name = `orders-${from}-${to}.${format}`;
    reply
      .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE)
      .header('content-disposition', `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(`服务台账-${from}至${to}.${format}`)}`)
      .send(stream);
  }
}
