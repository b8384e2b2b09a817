import { Module } from '@nestjs/common';
import { OrgModule } from '@xinyuan/org';
import { CertificateService } from './certificates.service';
import { ServiceRecordService } from './service-record.service';

/** 志愿服务记录: verified minutes, the append-only ledger, corrections, certificates. */
@Module({ imports: [OrgModule], providers: [ServiceRecordService, CertificateService], exports: [ServiceRecordService, CertificateService] })
export class RecordModule {}
