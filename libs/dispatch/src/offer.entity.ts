import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ScoreBreakdown } from './candidate-ranking';

export const OFFER_STATUSES = ['pending', 'accepted', 'declined', 'expired', 'withdrawn'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];

/** An order offered to one team. At most one is pending per order (unique partial index). */
@Entity('offers')
export class Offer {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'order_id' }) orderId: string;
  @Column('uuid', { name: 'team_id' }) teamId: string;
  @Column('text') status: OfferStatus;
  @Column('text') source: 'auto' | 'manual';
  /** `offer`: one team at a time; `grab` (抢单): several teams at once, the first accept wins. */
  @Column('text', { default: 'offer' }) mode: 'offer' | 'grab';
  @Column('double precision') score: number;
  @Column('jsonb', { name: 'score_breakdown' }) scoreBreakdown: ScoreBreakdown;
  @Column('double precision', { name: 'distance_m', nullable: true }) distanceM: number | null;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'responded_at', nullable: true }) respondedAt: Date | null;
  @Column('uuid', { name: 'responded_by', nullable: true }) respondedBy: string | null;
  @Column('text', { nullable: true }) reason: string | null;
}
