import { InitialSchema1763884800000 } from './1763884800000-initial-schema';
import { DispatchV21764000000000 } from './1764000000000-dispatch-v2';
import { IdentityV21765100000000 } from './1765100000000-identity-v2';
import { JurisdictionBeneficiariesAudit1765200000000 } from './1765200000000-jurisdiction-beneficiaries-audit';
import { LiveQueueNotify1765400000001 } from './1765400000001-live-queue-notify';
import { StaffAccounts1765500000000 } from './1765500000000-staff-accounts';
import { CandidateSearch1765600000000 } from './1765600000000-candidate-search';
import { SkillLabels1766100000000 } from './1766100000000-skill-labels';
import { MenuJurisdiction1766300000000 } from './1766300000000-menu-jurisdiction';
import { Notifications1766400000000 } from './1766400000000-notifications';
import { RegionOfPoint1766450000000 } from './1766450000000-region-of-point';
import { PhoneVerified1766460000000 } from './1766460000000-phone-verified';
import { Care1766500000000 } from './1766500000000-care';
import { Interop1766700000000 } from './1766700000000-interop';
import { Imports1766700000001 } from './1766700000001-imports';
import { ServiceRecord1766600000000 } from './1766600000000-service-record';
import { Wallet1766600000001 } from './1766600000001-wallet';
import { Activities1766600000002 } from './1766600000002-activities';
import { CareTemplatesCampaigns1766800000000 } from './1766800000000-care-templates-campaigns';
import { WalletCorrections1766810000000 } from './1766810000000-wallet-corrections';
import { TimeBankDraw1766810000001 } from './1766810000001-time-bank-draw';
import { RedemptionCatalogue1766840000000 } from './1766840000000-redemption-catalogue';
import { ImportKinds1766820000000 } from './1766820000000-import-kinds';
import { ImportKeysByRegion1766850000000 } from './1766850000000-import-keys-by-region';
import { CareVisitAnnounced1766860000000 } from './1766860000000-care-visit-announced';
import { DispatchCandidates1766870000000 } from './1766870000000-dispatch-candidates';
import { CompletedOrdersIndex1766870000001 } from './1766870000001-completed-orders-index';
import { ServiceBatchWindow1766890000000 } from './1766890000000-service-batch-window';
import { OutboxPendingPerStatement1766900000000 } from './1766900000000-outbox-pending-per-statement';
import { ImportHeartbeat1766900000001 } from './1766900000001-import-heartbeat';
import { CandidatesBySkillIndex1766930000000 } from './1766930000000-candidates-by-skill-index';
import { CandidatesSkipPreviouslyOffered1766950000000 } from './1766950000000-candidates-skip-previously-offered';
import { TimeOrderedIds1766960000000 } from './1766960000000-time-ordered-ids';
import { OpenCapTriggerOnOpenness1766960000001 } from './1766960000001-open-cap-trigger-on-openness';
import { DropUnusedOrderLocationIndex1766960000002 } from './1766960000002-drop-unused-order-location-index';
import { OrderCapExemptPlpgsql1766970000000 } from './1766970000000-order-cap-exempt-plpgsql';

/** Every migration, oldest first. Add new ones at the end. */
export const MIGRATIONS = [
  InitialSchema1763884800000,
  DispatchV21764000000000,
  IdentityV21765100000000,
  JurisdictionBeneficiariesAudit1765200000000,
  LiveQueueNotify1765400000001,
  StaffAccounts1765500000000,
  CandidateSearch1765600000000,
  SkillLabels1766100000000,
  MenuJurisdiction1766300000000,
  Notifications1766400000000,
  RegionOfPoint1766450000000,
  PhoneVerified1766460000000,
  Care1766500000000,
  Interop1766700000000,
  Imports1766700000001,
  ServiceRecord1766600000000,
  Wallet1766600000001,
  Activities1766600000002,
  CareTemplatesCampaigns1766800000000,
  WalletCorrections1766810000000,
  TimeBankDraw1766810000001,
  RedemptionCatalogue1766840000000,
  ImportKinds1766820000000,
  ImportKeysByRegion1766850000000,
  CareVisitAnnounced1766860000000,
  DispatchCandidates1766870000000,
  CompletedOrdersIndex1766870000001,
  ServiceBatchWindow1766890000000,
  OutboxPendingPerStatement1766900000000,
  ImportHeartbeat1766900000001,
  CandidatesBySkillIndex1766930000000,
  CandidatesSkipPreviouslyOffered1766950000000,
  TimeOrderedIds1766960000000,
  OpenCapTriggerOnOpenness1766960000001,
  DropUnusedOrderLocationIndex1766960000002,
  OrderCapExemptPlpgsql1766970000000,
];
