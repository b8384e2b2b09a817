import { Module } from '@nestjs/common';
import { AuditModule } from '@xinyuan/audit';
import { BeneficiaryService } from './beneficiary.service';

@Module({ imports: [AuditModule], providers: [BeneficiaryService], exports: [BeneficiaryService, AuditModule] })
export class BeneficiariesModule {}
