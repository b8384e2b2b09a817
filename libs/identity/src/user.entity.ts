import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ROLES = ['resident', 'volunteer', 'grid_worker', 'dispatcher', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const STAFF_ROLES: Role[] = ['dispatcher', 'admin'];
/** Roles an admin may give through POST /staff; each comes with a region (jurisdiction). */
export const STAFF_CREATABLE_ROLES = ['dispatcher', 'admin', 'grid_worker'] as const;
export type StaffCreatableRole = (typeof STAFF_CREATABLE_ROLES)[number];

/**
 * A person who signs in. The phone number is never stored in clear: `phone_enc` is its AES-GCM
 * ciphertext (PiiCipher) and `phone_bidx` its keyed blind index (unique), through which every
 * lookup by phone goes. A WeChat-only user has neither; an SMS-only user has no password.
 */
@Entity('users')
export class User {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text', { name: 'phone_enc', nullable: true, select: false }) phoneEnc: string | null;
  @Column('text', { name: 'phone_bidx', nullable: true, unique: true, select: false }) phoneBidx: string | null;
  @Column('text') name: string;
  @Column('text', { name: 'password_hash', nullable: true, select: false }) passwordHash: string | null;
  @Column('text', { array: true }) roles: Role[];
  /** Jurisdiction of staff (dispatcher, admin: a subtree) and of grid workers (their grid). */
  @Column('uuid', { name: 'region_id', nullable: true }) regionId: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
