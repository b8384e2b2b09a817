import { Module } from '@nestjs/common';
import { OrgModule } from '@xinyuan/org';
import { AuditLog } from './audit-log';

/** The append-only audit log; rows carry the region of their object, found through the org context. */
@Module({ imports: [OrgModule], providers: [AuditLog], exports: [AuditLog] })
export class AuditModule {}
