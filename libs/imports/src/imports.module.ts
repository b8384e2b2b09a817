import { Module } from '@nestjs/common';
import { AuditModule } from '@xinyuan/audit';
import { OrgModule } from '@xinyuan/org';
import { BeneficiaryImport } from './beneficiary-import.service';

/** Spreadsheet import (CSV, XLSX): 一人一档 profiles, with a dry run and an idempotent real run. */
@Module({ imports: [OrgModule, AuditModule], providers: [BeneficiaryImport], exports: [BeneficiaryImport] })
export class ImportsModule {}
