import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ROLES = ['resident', 'volunteer', 'dispatcher', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const STAFF_ROLES: Role[] = ['dispatcher', 'admin'];

@Entity('users')
export class User {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text', { unique: true }) phone: string;
  @Column('text') name: string;
  @Column('text', { name: 'password_hash', select: false }) passwordHash: string;
  @Column('text', { array: true }) roles: Role[];
  /** Jurisdiction of staff. */
  @Column('uuid', { name: 'region_id', nullable: true }) regionId: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
