import { Module } from '@nestjs/common';
import { AuditModule } from '@xinyuan/audit';
import { OrgModule } from '@xinyuan/org';
import { BeneficiaryImport } from './beneficiary-import.service';
import { ImportRunner } from './import-runner';
import { MemberImport } from './member-import';
import { MenuImport } from './menu-import';
import { OrderLedgerExport } from './order-ledger';
import { TeamImport } from './team-import';

const KINDS = [BeneficiaryImport, TeamImport, MemberImport, MenuImport];

/**
 * Spreadsheets in and out: import of 一人一档 profiles, teams, team members and menu items (one runner:
 * dry run, idempotent real run, per file or per row, progress) and the itemised order ledger (台账), streamed.
 */
@Module({ imports: [OrgModule, AuditModule], providers: [ImportRunner, ...KINDS, OrderLedgerExport], exports: [ImportRunner, ...KINDS, OrderLedgerExport] })
export class ImportsModule {}
