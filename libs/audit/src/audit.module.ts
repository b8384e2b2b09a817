import { Module } from '@nestjs/common';
import { JurisdictionService } from '@xinyuan/org';
import { AuditLog } from './audit-log';

@Module({ providers: [AuditLog, JurisdictionService], exports: [AuditLog, JurisdictionService] })
export class AuditModule {}
