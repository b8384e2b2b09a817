import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { GeoJsonPoint } from '@xinyuan/geo';
import type { OrderStatus } from './order-status';

@Entity('orders')
export class Order {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'resident_id' }) residentId: string;
  @Column('uuid', { name: 'service_id' }) serviceId: string;
  @Column('text', { name: 'service_code' }) serviceCode: string;
  @Column('text') description: string;
  @Column({ type: 'geography', spatialFeatureType: 'Point', srid: 4326 }) location: GeoJsonPoint;
  @Column('text') address: string;
  @Column('text', { name: 'contact_phone' }) contactPhone: string;
  @Column('timestamptz', { name: 'preferred_start', nullable: true }) preferredStart: Date | null;
  @Column('timestamptz', { name: 'preferred_end', nullable: true }) preferredEnd: Date | null;
  @Column('uuid', { name: 'region_id', nullable: true }) regionId: string | null;
  @Column('text') status: OrderStatus;
  /** Compare-and-set token: every transition checks and bumps it. */
  @Column('int') version: number;
  @Column('uuid', { name: 'team_id', nullable: true }) teamId: string | null;
  @Column('int', { name: 'dispatch_attempts', default: 0 }) dispatchAttempts: number;
  @Column('boolean', { default: false }) urgent: boolean;
  @Column('text', { name: 'dispatch_scope', nullable: true }) dispatchScope: string | null;
  @Column('timestamptz', { name: 'scope_started_at', nullable: true }) scopeStartedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('order_events')
export class OrderEvent {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column('uuid', { name: 'order_id' }) orderId: string;
  @Column('text') type: string;
  @Column('text', { name: 'from_status', nullable: true }) fromStatus: OrderStatus | null;
  @Column('text', { name: 'to_status', nullable: true }) toStatus: OrderStatus | null;
  @Column('uuid', { name: 'actor_id', nullable: true }) actorId: string | null;
  @Column('text', { name: 'actor_role' }) actorRole: string;
  @Column('text', { nullable: true }) note: string | null;
  @Column('jsonb', { nullable: true }) data: Record<string, unknown> | null;
  @Column('timestamptz') at: Date;
}

@Entity('service_records')
export class ServiceRecord {
  @PrimaryColumn('uuid', { name: 'order_id' }) orderId: string;
  @Column('uuid', { name: 'team_id' }) teamId: string;
  @Column('timestamptz', { name: 'checked_in_at', nullable: true }) checkedInAt: Date | null;
  @Column('uuid', { name: 'checked_in_by', nullable: true }) checkedInBy: string | null;
  @Column({ name: 'check_in_location', type: 'geography', spatialFeatureType: 'Point', srid: 4326, nullable: true })
  checkInLocation: GeoJsonPoint | null;
  @Column('timestamptz', { name: 'completed_at', nullable: true }) completedAt: Date | null;
  @Column('uuid', { name: 'completed_by', nullable: true }) completedBy: string | null;
  @Column('text', { nullable: true }) report: string | null;
  @Column('int', { nullable: true }) minutes: number | null;
  @Column('uuid', { name: 'volunteer_ids', array: true, default: '{}' }) volunteerIds: string[];
}

@Entity('idempotency_keys')
export class IdempotencyKey {
  @PrimaryColumn('uuid', { name: 'user_id' }) userId: string;
  @PrimaryColumn('text') key: string;
  @Column('text', { name: 'request_hash' }) requestHash: string;
  @Column('uuid', { name: 'order_id' }) orderId: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
