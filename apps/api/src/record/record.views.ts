import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageOf } from '@xinyuan/common';
import { LatLngDto } from '@xinyuan/geo';
import { CREDIT_STATUSES, LEDGER_KINDS, PENDING_REASONS } from '@xinyuan/record';

/** Response shapes of the service record (志愿服务记录). */

export class LedgerEntryView {
  @ApiProperty({ description: 'ledger entry id (a number, as a string)' }) id: string;
  @ApiProperty({ enum: LEDGER_KINDS }) kind: string;
  @ApiProperty({ description: 'signed: a reversal is negative' }) minutes: number;
  @ApiProperty({ description: 'what was done (the service or activity)' }) content: string;
  @ApiProperty({ type: String, nullable: true }) serviceCode: string | null;
  @ApiProperty({ enum: ['order', 'activity', 'correction'] }) sourceType: string;
  @ApiProperty({ type: String, nullable: true }) sourceId: string | null;
  @ApiProperty({ description: 'who organised and records it (station · team)' }) organiser: string;
  @ApiProperty({ enum: ['recipient', 'staff', 'organiser'], description: 'who confirmed it' }) confirmation: string;
  @ApiProperty({ type: String, nullable: true, description: 'the entry a reversal cancels' }) reversesId: string | null;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty({ format: 'date-time' }) servedAt: string;
  @ApiProperty({ format: 'date-time' }) recordedAt: string;
}

export class CreditView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) volunteerId: string;
  @ApiPropertyOptional() volunteerName?: string;
  @ApiProperty({ enum: ['order', 'activity'] }) sourceType: string;
  @ApiProperty({ format: 'uuid' }) sourceId: string;
  @ApiProperty() content: string;
  @ApiProperty() minutes: number;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ format: 'date-time' }) endedAt: string;
  @ApiProperty({ enum: CREDIT_STATUSES }) status: string;
  @ApiProperty({ enum: PENDING_REASONS, isArray: true }) pendingReasons: string[];
  @ApiProperty({ description: 'a fraud check flagged it for review' }) flagged: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) recipientConfirmedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) reviewNote: string | null;
}

export const CreditPage = PageOf(CreditView);

export class VolunteerRecordView {
  @ApiProperty({ description: 'sum of the ledger entries' }) verifiedMinutes: number;
  @ApiProperty({ description: 'credits waiting for confirmation or review' }) pendingMinutes: number;
  @ApiProperty() verifiedHours: number;
  @ApiProperty({ minimum: 0, maximum: 5 }) starLevel: number;
  @ApiProperty({ type: Number, nullable: true }) hoursToNextStar: number | null;
  @ApiProperty({ type: Number, isArray: true }) starThresholdsHours: number[];
  @ApiProperty({ type: LedgerEntryView, isArray: true, description: 'newest first (up to 200)' }) entries: LedgerEntryView[];
  @ApiProperty({ type: CreditView, isArray: true }) pending: CreditView[];
}

export class ConfirmedCreditView {
  @ApiProperty({ type: CreditView }) credit: CreditView;
  @ApiProperty({ type: LedgerEntryView }) entry: LedgerEntryView;
}

export class CorrectionView {
  @ApiProperty({ type: LedgerEntryView }) reversal: LedgerEntryView;
  @ApiProperty({ type: LedgerEntryView }) correction: LedgerEntryView;
}

export class CorrectionRequestView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) volunteerId: string;
  @ApiPropertyOptional() volunteerName?: string;
  @ApiProperty() entryId: string;
  @ApiProperty() minutes: number;
  @ApiProperty() reason: string;
  @ApiProperty({ enum: ['open', 'approved', 'rejected'] }) status: string;
  @ApiProperty({ type: String, nullable: true }) decisionNote: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) decidedAt: string | null;
}

export const CorrectionRequestPage = PageOf(CorrectionRequestView);

export class CorrectionDecisionView {
  @ApiProperty({ type: CorrectionRequestView }) request: CorrectionRequestView;
  @ApiPropertyOptional({ type: LedgerEntryView }) reversal?: LedgerEntryView;
  @ApiPropertyOptional({ type: LedgerEntryView }) correction?: LedgerEntryView;
}

export class CertificateCheckView {
  @ApiProperty({ example: 'ZYFW-20261129-ABCDEFGHJK' }) number: string;
  @ApiProperty({ description: 'masked name of the holder', example: '张*丰' }) holder: string;
  @ApiProperty() verifiedHours: number;
  @ApiProperty({ format: 'date-time' }) issuedAt: string;
  @ApiProperty() issuer: string;
  @ApiProperty({ description: 'false once revoked' }) valid: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: string | null;
}

export class RulePackView {
  @ApiProperty() name: string;
  @ApiProperty() pointsPerHour: number;
  @ApiProperty() dailyCap: number;
  @ApiProperty() expiryDays: number;
  @ApiProperty() transferToRelative: boolean;
  @ApiProperty() donateToPool: boolean;
  @ApiProperty() minAgeToDraw: number;
}

export class ExpiryView {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty() points: number;
}

export class WalletMovementView {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['earn', 'redeem', 'expire', 'bank', 'transfer', 'donate', 'correct', 'draw'] }) type: string;
  @ApiProperty({ enum: ['points', 'time_bank'] }) account: string;
  @ApiProperty({ description: 'signed: negative leaves the account' }) amount: number;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: String, nullable: true }) ref: string | null;
}

export class WalletView {
  @ApiProperty({ description: 'verified service minutes (permanent)' }) verifiedMinutes: number;
  @ApiProperty({ description: 'spendable points' }) points: number;
  @ApiProperty({ description: 'banked time-bank minutes' }) bankedMinutes: number;
  @ApiProperty({ type: RulePackView }) pack: RulePackView;
  @ApiProperty({ type: ExpiryView, nullable: true }) nextExpiry: ExpiryView | null;
  @ApiProperty({ type: WalletMovementView, isArray: true }) movements: WalletMovementView[];
}

export class RedemptionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'the catalogue item (null: made before the catalogue)' }) itemId: string | null;
  @ApiProperty({ description: 'the item’s name when redeemed' }) item: string;
  @ApiProperty({ minimum: 1 }) quantity: number;
  @ApiProperty({ description: 'points paid in all: the catalogue price times the quantity' }) points: number;
  @ApiProperty({ description: 'shown at the 爱心超市 to collect' }) pickupCode: string;
  @ApiProperty({ enum: ['reserved', 'collected'] }) status: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) collectedAt: string | null;
  @ApiPropertyOptional({ description: 'points left after this redemption' }) balance?: number;
}

export class ActivityView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) regionId: string;
  @ApiProperty({ type: String, nullable: true }) area: string | null;
  @ApiProperty() theme: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ format: 'date-time' }) startsAt: string;
  @ApiProperty({ format: 'date-time' }) endsAt: string;
  @ApiProperty({ type: LatLngDto }) location: LatLngDto;
  @ApiProperty() address: string;
  @ApiProperty() capacity: number;
  @ApiProperty() creditedMinutes: number;
  @ApiProperty() confirmed: number;
  @ApiProperty() waiting: number;
  @ApiProperty() attended: number;
  @ApiPropertyOptional({ type: String, nullable: true, enum: ['confirmed', 'waiting', 'cancelled'] }) myStatus?: string | null;
  @ApiPropertyOptional() myAttended?: boolean;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'the caller’s place on the waiting list (1 = next)' }) myWaitingPosition?: number | null;
  @ApiPropertyOptional({ description: 'staff of its jurisdiction: what the venue QR code holds' }) qrToken?: string;
  @ApiPropertyOptional({ description: 'staff of its jurisdiction: the same check-in as 8 letters, printed under the QR code for phones that cannot scan' }) venueCode?: string;
  @ApiPropertyOptional({ description: 'staff of its jurisdiction: the venue QR code as SVG, to print' }) qrSvg?: string;
}

export class RelativeView {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: '母亲' }) relation: string;
}

export class RelativesView {
  @ApiProperty({ type: RelativeView, isArray: true, description: 'relatives both sides have named' }) relatives: RelativeView[];
}

export class TeamRankingView {
  @ApiProperty({ description: 'within the team’s county, 1 = best' }) rank: number;
  @ApiProperty({ format: 'uuid' }) teamId: string;
  @ApiProperty() teamName: string;
  @ApiProperty({ type: String, nullable: true }) area: string | null;
  @ApiProperty({ description: 'verified volunteer minutes served in the month through the team (corrections included)' }) verifiedMinutes: number;
  @ApiProperty({ description: 'ratings given in the month' }) ratingCount: number;
  @ApiProperty({ type: Number, nullable: true }) averageStars: number | null;
  @ApiProperty({ description: 'offers accepted or declined in the month' }) offersAnswered: number;
  @ApiProperty({ description: 'offers left to expire in the month' }) offersExpired: number;
  @ApiProperty({ type: Number, nullable: true, description: 'answered ÷ (answered + expired)' }) answerRate: number | null;
  @ApiProperty({ description: '0–100: 50 × hours share + 30 × stars/5 + 20 × answer rate' }) score: number;
  @ApiProperty({ description: '五星服务队 of the month' }) fiveStar: boolean;
  @ApiProperty({ description: 'the caller is a member' }) mine: boolean;
}

export class TeamRankingsView {
  @ApiProperty({ example: '2026-12' }) month: string;
  @ApiProperty({ description: 'how many top teams of each county are 五星服务队' }) fiveStarCount: number;
  @ApiProperty({ type: TeamRankingView, isArray: true }) items: TeamRankingView[];
}

export class MemberStarsView {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'sum of the member’s ledger entries (all time)' }) verifiedMinutes: number;
  @ApiProperty({ minimum: 0, maximum: 5 }) starLevel: number;
}

export class SignupView {
  @ApiProperty({ format: 'uuid' }) volunteerId: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['confirmed', 'waiting', 'cancelled'] }) status: string;
  @ApiProperty({ type: Number, nullable: true, description: 'place on the waiting list (1 = next)' }) waitingPosition: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) attendedAt: string | null;
  @ApiProperty({ format: 'date-time' }) signedUpAt: string;
}
