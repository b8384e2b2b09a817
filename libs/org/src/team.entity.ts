import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { GeoJsonPoint } from '@xinyuan/geo';

@Entity('teams')
export class Team {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('uuid', { name: 'region_id' }) regionId: string;
  @Column({ type: 'geography', spatialFeatureType: 'Point', srid: 4326 }) location: GeoJsonPoint;
  @Column('int', { name: 'service_radius_m' }) serviceRadiusM: number;
  @Column('text', { array: true }) skills: string[];
  @Column('int') capacity: number;
  /** Orders accepted and not yet completed or cancelled; kept ≤ capacity by a CHECK and by accept. */
  @Column('int', { name: 'active_orders', default: 0 }) activeOrders: number;
  @Column('boolean', { default: true }) active: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

export const TEAM_MEMBER_ROLES = ['leader', 'member'] as const;
export type TeamMemberRole = (typeof TEAM_MEMBER_ROLES)[number];

@Entity('team_members')
export class TeamMember {
  @PrimaryColumn('uuid', { name: 'team_id' }) teamId: string;
  @PrimaryColumn('uuid', { name: 'user_id' }) userId: string;
  @Column('text') role: TeamMemberRole;
  @Column('text', { array: true, default: '{}' }) skills: string[];
  @CreateDateColumn({ name: 'joined_at', type: 'timestamptz' }) joinedAt: Date;
}
