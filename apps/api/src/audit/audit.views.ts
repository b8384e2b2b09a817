import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '@xinyuan/common';

/** Response shapes of the audit log (OpenAPI; the front ends' types are generated from them). */

export class AuditEntryView {
  @ApiProperty({ description: 'sequence number (bigint as a string)', example: '1042' }) id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) actorId: string | null;
  @ApiProperty({ type: [String] }) actorRoles: string[];
  @ApiProperty({ example: 'order.assign' }) action: string;
  @ApiProperty({ type: String, nullable: true, example: 'order' }) objectType: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) objectId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) regionId: string | null;
  @ApiProperty({ enum: ['success', 'denied', 'rejected', 'error'] }) outcome: 'success' | 'denied' | 'rejected' | 'error';
  @ApiProperty({ type: Number, nullable: true }) statusCode: number | null;
  @ApiProperty({ type: String, nullable: true }) ip: string | null;
  @ApiProperty({ type: String, nullable: true }) userAgent: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'what the action touched (ids, changed fields)' })
  data: Record<string, unknown> | null;
}

export const AuditPage = PageOf(AuditEntryView, 'AuditPage');
