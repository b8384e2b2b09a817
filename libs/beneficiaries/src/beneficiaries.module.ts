import { Module } from '@nestjs/common';
import { AuditModule } from '@xinyuan/audit';
import { OrgModule } from '@xinyuan/org';
import { BeneficiaryService } from './beneficiary.service';

@Module({ imports: [OrgModule, AuditModule], providers: [BeneficiaryService], exports: [BeneficiaryService] })
export class BeneficiariesModule {}
