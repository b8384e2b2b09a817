import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { AuditLog } from '@xinyuan/audit';
import { PageQuery, pageLimit } from '@xinyuan/common';
import { AuthUser, CurrentUser, Roles } from '@xinyuan/identity';
import { AuditPage } from './audit.views';

class AuditQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsUUID() actorId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() objectId?: string;
  @ApiPropertyOptional({ example: 'order.assign' }) @IsOptional() @IsString() @Length(1, 100) action?: string;
  @ApiPropertyOptional({ description: 'inclusive, ISO 8601' }) @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @ApiPropertyOptional({ description: 'exclusive, ISO 8601' }) @IsOptional() @IsISO8601({ strict: true }) to?: string;
}

/**
 * The audit log, read-only: there is no endpoint that changes a row, and the database refuses
 * UPDATE and DELETE on it. Admins see the rows of their jurisdiction.
 */
@ApiTags('audit 审计')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @ApiOkResponse({ type: AuditPage })
  list(@CurrentUser() user: AuthUser, @Query() query: AuditQuery) {
    return this.audit.query(user, {
      actorId: query.actorId, objectId: query.objectId, action: query.action, from: query.from, to: query.to,
      limit: pageLimit(query), cursor: query.cursor,
    });
  }
}
