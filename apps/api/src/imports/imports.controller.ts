import { Body, Controller, Get, Headers, HttpCode, Param, ParseEnumPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { Meta, RequestMeta } from '@xinyuan/audit';
import { DomainException, ErrorCode, uuidParam } from '@xinyuan/common';
import { AuthUser, CurrentUser, Roles } from '@xinyuan/identity';
import { BeneficiaryImport, IMPORT_KINDS, ImportKind, ImportKindName, ImportRunner, MemberImport, MenuImport, SheetFormat, TeamImport } from '@xinyuan/imports';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Who may import (each kind narrows it further); also who may send a file larger than the JSON limit. */
export const IMPORT_ROLES = ['grid_worker', 'dispatcher', 'admin'] as const;

export class ImportQuery {
  @ApiPropertyOptional({ description: 'true: only check and report, write nothing', default: false })
  @IsOptional() @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value)) @IsBoolean() dryRun?: boolean;
  @ApiPropertyOptional({ enum: ['file', 'row'], default: 'file', description: 'file: nothing is written unless every row is good; row: the good rows are written' })
  @IsOptional() @IsIn(['file', 'row']) mode?: 'file' | 'row';
  @ApiPropertyOptional({ description: 'the file name, kept with the run' }) @IsOptional() @IsString() @MaxLength(200) fileName?: string;
  @ApiPropertyOptional({ description: 'true: a real run answers as soon as every row is checked (status running); poll GET /imports/:id for processed of total', default: false })
  @IsOptional() @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value)) @IsBoolean() background?: boolean;
}

export class TemplateQuery {
  @ApiPropertyOptional({ enum: ['xlsx', 'csv'], default: 'xlsx' }) @IsOptional() @IsIn(['xlsx', 'csv']) format?: SheetFormat;
}

export class RowProblemView {
  @ApiProperty({ description: 'row number in the file (the header is row 1)' }) row: number;
  @ApiProperty({ example: '联系电话' }) column: string;
  @ApiProperty({ example: '联系电话应为 11 位手机号或带区号的座机号' }) message: string;
}

export class ImportReportView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: IMPORT_KINDS }) kind: string;
  @ApiProperty() dryRun: boolean;
  @ApiProperty({ enum: ['file', 'row'] }) mode: string;
  @ApiProperty({ enum: ['running', 'dry_run', 'imported', 'partial', 'rejected', 'failed'] }) status: string;
  @ApiProperty() total: number;
  @ApiProperty({ description: 'rows handled so far (progress)' }) processed: number;
  @ApiProperty() created: number;
  @ApiProperty() updated: number;
  @ApiProperty() unchanged: number;
  @ApiProperty() badRows: number;
  @ApiProperty({ type: [RowProblemView] }) errors: RowProblemView[];
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt: Date | null;
}

const KIND_NAMES: Record<ImportKindName, string> = { beneficiaries: '服务对象导入模板', teams: '队伍导入模板', 'team-members': '队员导入模板', services: '服务菜单导入模板' };

/** 404 for a kind that does not exist. */
const kindParam = () => new ParseEnumPipe(Object.fromEntries(IMPORT_KINDS.map((k) => [k, k])), {
  exceptionFactory: () => DomainException.notFound(ErrorCode.NotFound, '没有这种导入'),
});

/**
 * Spreadsheet import: 一人一档 profiles (grid workers and staff, within their jurisdiction), teams,
 * team members and menu items (admins). One runner for every kind: dry run, idempotent real run,
 * per file or per row, progress.
 */
@ApiTags('imports 导入')
@ApiBearerAuth()
@Roles(...IMPORT_ROLES)
@Controller('api/v1/imports')
export class ImportsController {
  private readonly kinds: Record<ImportKindName, ImportKind<any, any>>;

  constructor(
    private readonly runner: ImportRunner,
    beneficiaries: BeneficiaryImport,
    teams: TeamImport,
    members: MemberImport,
    menu: MenuImport,
  ) {
    this.kinds = { beneficiaries, teams, 'team-members': members, services: menu };
  }

  @Get(':kind/template')
  @ApiOperation({ summary: 'The template to fill (XLSX or CSV): beneficiaries, teams, team-members, services' })
  @ApiParam({ name: 'kind', enum: IMPORT_KINDS })
  @ApiProduces(XLSX_TYPE, 'text/csv')
  @ApiOkResponse({
    description: 'a download',
    content: { [XLSX_TYPE]: { schema: { type: 'string', format: 'binary' } }, 'text/csv': { schema: { type: 'string' } } },
  })
  async template(@Param('kind', kindParam()) kind: ImportKindName, @Query() query: TemplateQuery, @Res() reply: FastifyReply) {
    const format = query.format ?? 'xlsx';
    const file = await this.runner.template(this.kinds[kind], format);
    reply
      .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE)
      .header('content-disposition', `attachment; filename="${kind}-template.${format}"; filename*=UTF-8''${encodeURIComponent(`${KIND_NAMES[kind]}.${format}`)}`)
      .send(file);
  }

  @Post(':kind')
  @HttpCode(200)
  @ApiOperation({ summary: 'Import a CSV or XLSX file (the body is the file); dryRun=true only reports every bad row. Teams, team-members and services: admins' })
  @ApiParam({ name: 'kind', enum: IMPORT_KINDS })
  @ApiConsumes('text/csv', XLSX_TYPE)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiOkResponse({ type: ImportReportView })
  async import(
    @CurrentUser() user: AuthUser, @Param('kind', kindParam()) kind: ImportKindName, @Query() query: ImportQuery, @Headers('content-type') type: string | undefined,
    @Body() body: unknown, @Meta() meta: RequestMeta,
  ) {
    const format: SheetFormat | null = type?.startsWith('text/csv') ? 'csv' : type?.startsWith(XLSX_TYPE) ? 'xlsx' : null;
    if (!format || !Buffer.isBuffer(body) || body.length === 0) {
      throw DomainException.validation([{ field: 'file', messages: ['send the file as the body, Content-Type text/csv or the XLSX type'] }], '请上传 CSV 或 XLSX 文件');
    }
    return this.runner.run(this.kinds[kind], user, body, format, {
      dryRun: query.dryRun ?? false, mode: query.mode ?? 'file', fileName: query.fileName, background: query.background ?? false,
    }, meta);
  }

  @Get(':id')
  @ApiOperation({ summary: 'An import run of the caller: progress, counts, every bad row' })
  @ApiOkResponse({ type: ImportReportView })
  get(@CurrentUser() user: AuthUser, @Param('id', uuidParam()) id: string) {
    return this.runner.get(user, id);
  }
}
