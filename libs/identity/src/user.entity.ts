import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ROLES = ['resident', 'volunteer', 'grid_worker', 'dispatcher', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const STAFF_ROLES: Role[] = ['dispatcher', 'admin'];
/** Roles an admin may give through POST /staff; each comes with a region (jurisdiction). */
export const STAFF_CREATABLE_ROLES = ['dispatcher', 'admin', 'grid_worker'] as const;
export type StaffCreatableRole = (typeof STAFF_CREATABLE_ROLES)[number];

@Entity('users')
export class User {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text', { unique: true }) phone: string;
  @Column('text') name: string;
  @Column('text', { name: 'password_hash', select: false }) passwordHash: string;
  @Column('text', { array: true }) roles: Role[];
  /** Jurisdiction of staff (dispatcher, admin: a subtree) and of grid workers (their grid). */
  @Column('uuid', { name: 'region_id', nullable: true }) regionId: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
