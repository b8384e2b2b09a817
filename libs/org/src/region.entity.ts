import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const REGION_LEVELS = ['county', 'township', 'village', 'point'] as const;
export type RegionLevel = (typeof REGION_LEVELS)[number];

/** County centre (中心) → township institute (所) → village/community station (站) → point (点). */
@Entity('regions')
export class Region {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text') level: RegionLevel;
  @Column('uuid', { name: 'parent_id', nullable: true }) parentId: string | null;
  /** Ancestors root first, itself last (maintained by a trigger). */
  @Column('uuid', { array: true }) path: string[];
  @Column({ type: 'geography', spatialFeatureType: 'MultiPolygon', srid: 4326, nullable: true, select: false })
  boundary: object | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
