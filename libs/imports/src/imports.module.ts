import { Module } from '@nestjs/common';
import { AuditModule } from '@xinyuan/audit';
import { OrgModule } from '@xinyuan/org';
import { BeneficiaryImport } from './beneficiary-import.service';
import { OrderLedgerExport } from './order-ledger';

/** Spreadsheets in and out: 一人一档 import (dry run, idempotent real run) and the itemised order ledger (台账), streamed. */
@Module({ imports: [OrgModule, AuditModule], providers: [BeneficiaryImport, OrderLedgerExport], exports: [BeneficiaryImport, OrderLedgerExport] })
export class ImportsModule {}
