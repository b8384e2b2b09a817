import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageOf } from '@xinyuan/common';
import { ORDER_STATUS_ENUM } from '../orders/orders.views';

/** Response shapes of 派单 (OpenAPI; the front ends' types are generated from them). */

const JURISDICTION_LEVELS = ['station', 'township', 'county', 'outside'] as const;
const JURISDICTION_LEVEL = { enum: JURISDICTION_LEVELS, enumName: 'JurisdictionLevel' } as const;

export class DispatchQueueItem {
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty({ ...ORDER_STATUS_ENUM, description: 'escalated or pending_review' }) status: string;
  @ApiProperty() serviceCode: string;
  @ApiProperty() serviceName: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: String, nullable: true }) area: string | null;
  @ApiProperty({ format: 'date-time', description: 'last change of the order' }) waitingSince: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, nullable: true, description: 'note of the latest timeline event' }) lastNote: string | null;
  @ApiProperty() urgent: boolean;
}

export const DispatchQueuePage = PageOf(DispatchQueueItem, 'DispatchQueuePage');

/** Why a team was chosen; stored on every offer and shown to staff. */
export class ScoreBreakdown {
  @ApiProperty({ enum: ['weighted-v2', 'manual', 'batch'] }) strategy: 'weighted-v2' | 'manual' | 'batch';
  @ApiProperty() distanceM: number;
  @ApiProperty({ description: '1 at the team\'s base, 0 at the edge of its service radius' }) proximity: number;
  @ApiProperty({ description: 'share of the team\'s members who hold the required skills' }) skillCoverage: number;
  @ApiProperty({ description: '1 for an idle team, 0 for one at capacity' }) spareCapacity: number;
  @ApiProperty({ description: 'Bayesian reputation mapped from 1..5 to 0..1' }) reputation: number;
  @ApiProperty() continuity: number;
  @ApiProperty({ description: 'fewer recent offers → closer to 1' }) fairness: number;
  @ApiProperty() jurisdiction: number;
  @ApiProperty(JURISDICTION_LEVEL) jurisdictionLevel: (typeof JURISDICTION_LEVELS)[number];
  @ApiProperty() recentOffers: number;
  @ApiProperty() total: number;
}

export class DispatchWeights {
  @ApiProperty() proximity: number;
  @ApiProperty() skillCoverage: number;
  @ApiProperty() load: number;
  @ApiProperty() reputation: number;
  @ApiProperty() continuity: number;
  @ApiProperty() fairness: number;
  @ApiProperty() jurisdiction: number;
}

/** A team that passed the hard filters, ranked. */
export class RankedCandidate {
  @ApiProperty({ format: 'uuid' }) teamId: string;
  @ApiProperty() name: string;
  @ApiProperty() distanceM: number;
  @ApiProperty() serviceRadiusM: number;
  @ApiProperty() activeOrders: number;
  @ApiProperty() capacity: number;
  @ApiPropertyOptional() members?: number;
  @ApiPropertyOptional() qualifiedMembers?: number;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Bayesian 1..5; null before the first rating' }) reputation?: number | null;
  @ApiPropertyOptional() continuity?: number;
  @ApiPropertyOptional() recentOffers?: number;
  @ApiPropertyOptional(JURISDICTION_LEVEL) jurisdiction?: (typeof JURISDICTION_LEVELS)[number];
  @ApiPropertyOptional({ description: 'this order was offered to the team before' }) previouslyOffered?: boolean;
  @ApiProperty() rank: number;
  @ApiProperty() score: number;
  @ApiProperty({ type: ScoreBreakdown }) breakdown: ScoreBreakdown;
}

export class CandidateList {
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty({ type: DispatchWeights }) weights: DispatchWeights;
  @ApiProperty({ type: [RankedCandidate] }) items: RankedCandidate[];
}

/** The pending offer a manual 派单 made. */
export class AssignedOffer {
  @ApiProperty({ format: 'uuid', description: 'the offer' }) id: string;
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty({ format: 'uuid' }) teamId: string;
  @ApiProperty({ enum: ['pending'] }) status: 'pending';
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
  @ApiProperty({ type: [String], description: 'pending offers of other teams this assign withdrew (each an offer_withdrawn timeline entry)' }) withdrawnOfferIds: string[];
}

/** An offer still waiting for a team's answer. */
export class PendingOfferRef {
  @ApiProperty({ format: 'uuid' }) offerId: string;
  @ApiProperty({ format: 'uuid' }) teamId: string;
  @ApiProperty() teamName: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
}

/** A team of the caller's jurisdiction that staff may assign by hand, flagged where it does not fit. */
export class AssignableTeam {
  @ApiProperty({ format: 'uuid' }) teamId: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'uuid' }) regionId: string;
  @ApiProperty({ type: String, nullable: true }) regionName: string | null;
  @ApiProperty({ description: 'metres from the team\'s base to the order' }) distanceM: number;
  @ApiProperty() serviceRadiusM: number;
  @ApiProperty({ description: 'false: the order lies beyond the team\'s own service radius (still assignable)' }) withinServiceRadius: boolean;
  @ApiProperty() activeOrders: number;
  @ApiProperty() capacity: number;
  @ApiProperty({ description: 'cannot take another order now' }) atCapacity: boolean;
  @ApiProperty({ type: [String] }) skills: string[];
  @ApiProperty({ type: [String], description: 'required skills the team lacks (assignable with allowMissingSkills)' }) missingSkills: string[];
  @ApiProperty() previouslyOffered: boolean;
  @ApiProperty({ description: 'the team holds this order\'s pending offer now' }) holdsPendingOffer: boolean;
}

export class AssignableTeamPage {
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty({ type: [String] }) requiredSkills: string[];
  @ApiProperty({ type: [PendingOfferRef], description: 'assigning another team withdraws these, once confirmed (withdrawOfferIds)' }) pendingOffers: PendingOfferRef[];
  @ApiProperty({ type: [AssignableTeam] }) items: AssignableTeam[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
