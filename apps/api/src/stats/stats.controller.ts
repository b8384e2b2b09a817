import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { DomainException } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { AuthUser, CurrentUser, Roles } from '@xinyuan/identity';
import { JurisdictionService } from '@xinyuan/org';
import { Meta, RequestMeta } from '@xinyuan/audit';
import { CareCoverage } from '@xinyuan/care';
import { careCoverageTable, dashboardTables, EXPORT_TABLE_KEYS, ExportTableKey, Lang, toCsv } from './dashboard';
import { DashboardFilter, StatsQueries } from './stats.queries';
import { toXlsx } from './xlsx-export';
import { Dashboard } from './stats.views';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 366;

class DashboardQuery {
  @ApiPropertyOptional({ example: '2026-11-01', description: 'first day (inclusive); default 29 days before `to`' })
  @IsOptional() @Matches(DAY, { message: 'from must be a date YYYY-MM-DD' }) from?: string;
  @ApiPropertyOptional({ example: '2026-11-30', description: 'last day (inclusive); default today' })
  @IsOptional() @Matches(DAY, { message: 'to must be a date YYYY-MM-DD' }) to?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'only orders in this region and below; per-region rows are its children' })
  @IsOptional() @IsUUID() regionId?: string;
}

class ExportQuery extends DashboardQuery {
  @ApiPropertyOptional({ enum: ['xlsx', 'csv'], default: 'xlsx' }) @IsOptional() @IsIn(['xlsx', 'csv']) format?: 'xlsx' | 'csv';
  @ApiPropertyOptional({ enum: [...EXPORT_TABLE_KEYS, 'care'], description: 'CSV: which table (default perRegion; care: 关爱覆盖); XLSX: all tables, one sheet each, care coverage last' })
  @IsOptional() @IsIn([...EXPORT_TABLE_KEYS, 'care']) table?: ExportTableKey | 'care';
  @ApiPropertyOptional({ enum: ['zh', 'en'], default: 'zh' }) @IsOptional() @IsIn(['zh', 'en']) lang?: Lang;
}

/** The dispatch centre's dashboard and its export as XLSX and CSV (staff). */
@ApiTags('stats 统计')
@ApiBearerAuth()
@Roles('dispatcher', 'admin')
@Controller('api/v1/stats')
export class StatsController {
  constructor(
    private readonly stats: StatsQueries,
    private readonly config: AppConfig,
    private readonly jurisdiction: JurisdictionService,
    private readonly care: CareCoverage,
  ) {}

  /**
   * The dashboard covers the caller's jurisdiction: a township dispatcher gets the township by
   * default, and another region only inside it (403 OUTSIDE_JURISDICTION otherwise).
   */
  private async scoped(user: AuthUser, filter: DashboardFilter): Promise<DashboardFilter> {
    const scope = await this.jurisdiction.staffScope(user);
    if (scope.kind === 'all') return filter;
    if (scope.kind === 'none') throw DomainException.forbidden();
    if (!filter.regionId) return { ...filter, regionId: scope.regionId };
    await this.jurisdiction.requireStaffCovers(user, filter.regionId);
    return filter;
  }

  @Get('dashboard')
  @ApiOkResponse({ type: Dashboard })
  @ApiOperation({ summary: 'Orders per day by status, by menu group, time to accept / complete (median, p90), satisfaction, volunteer minutes, per region' })
  async dashboard(@CurrentUser() user: AuthUser, @Query() query: DashboardQuery) {
    return this.stats.dashboard(await this.scoped(user, this.period(query)));
  }

  @Get('export')
  @ApiOperation({ summary: 'The dashboard tables and care coverage (关爱覆盖) as XLSX (one sheet per table) or one table as CSV (UTF-8 with BOM)' })
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv')
  @ApiOkResponse({
    description: 'a download (Content-Disposition: attachment): XLSX by default, CSV with format=csv',
    content: {
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } },
      'text/csv': { schema: { type: 'string', description: 'UTF-8 with BOM, one table' } },
    },
  })
  async export(@CurrentUser() user: AuthUser, @Query() query: ExportQuery, @Meta() meta: RequestMeta, @Res() reply: FastifyReply): Promise<void> {
    const filter = await this.scoped(user, this.period(query));
    const wantsCare = (query.format ?? 'xlsx') === 'xlsx' || query.table === 'care';
    // care coverage is as of now (not the period): people, plans, today's check-ins, visits against policy
    const care = wantsCare ? careCoverageTable(await this.care.coverage(user, meta, { regionId: filter.regionId })) : null;
    const tables = { ...dashboardTables(await this.stats.dashboard(filter)), ...(care ? { care } : {}) } as Record<ExportTableKey | 'care', ReturnType<typeof careCoverageTable>>;
    const lang = query.lang ?? 'zh';
    const stem = `xinyuan-stats-${filter.from}-${filter.to}`;
    if ((query.format ?? 'xlsx') === 'csv') {
      const key = query.table ?? 'perRegion';
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${stem}-${key}.csv"`)
        .send(toCsv(tables[key], lang));
      return;
    }
    const body = await toXlsx([...EXPORT_TABLE_KEYS.map((k) => tables[k]), tables.care], lang, stem);
    reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="${stem}.xlsx"`)
      .send(body);
  }

  /** Validates the period: real dates, from ≤ to, at most a year; defaults to the last 30 days. */
  private period(query: DashboardQuery): DashboardFilter {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: this.config.STATS_TIME_ZONE }).format(new Date());
    const to = query.to ?? today;
    const toDate = Date.parse(`${to}T00:00:00Z`);
    const from = query.from ?? new Date(toDate - 29 * 86400000).toISOString().slice(0, 10);
    const fromDate = Date.parse(`${from}T00:00:00Z`);
    const fields = [];
    const real = (s: string, t: number) => !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
    if (!real(from, fromDate)) fields.push({ field: 'from', messages: ['from is not a real date'] });
    if (!real(to, toDate)) fields.push({ field: 'to', messages: ['to is not a real date'] });
    if (!fields.length && fromDate > toDate) fields.push({ field: 'from', messages: ['from must not be after to'] });
    if (!fields.length && (toDate - fromDate) / 86400000 + 1 > MAX_DAYS) fields.push({ field: 'to', messages: [`at most ${MAX_DAYS} days`] });
    if (fields.length) throw DomainException.validation(fields, '统计时间范围无效');
    return { from, to, regionId: query.regionId };
  }
}
