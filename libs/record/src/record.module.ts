import { Module } from '@nestjs/common';
import { OrgModule } from '@xinyuan/org';
import { CertificateService } from './certificates.service';
import { ServiceRecordService } from './service-record.service';
import { WalletService } from './wallet.service';
import { ActivitiesService } from './activities.service';
import { TeamRankingService } from './team-ranking.service';
import { RedemptionCatalogueService } from './redemption-catalogue';
import { AuditModule } from '@xinyuan/audit';

/** 志愿服务记录: verified minutes, the append-only ledger, corrections, certificates, the wallet (points, time bank, 爱心超市). */
@Module({ imports: [OrgModule, AuditModule], providers: [ServiceRecordService, CertificateService, WalletService, ActivitiesService, TeamRankingService, RedemptionCatalogueService],
  exports: [ServiceRecordService, CertificateService, WalletService, ActivitiesService, TeamRankingService, RedemptionCatalogueService] })
export class RecordModule {}
