import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('ratings')
export class Rating {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'order_id', unique: true }) orderId: string;
  @Column('uuid', { name: 'resident_id' }) residentId: string;
  @Column('uuid', { name: 'team_id' }) teamId: string;
  @Column('smallint') stars: number;
  @Column('boolean') solved: boolean;
  @Column('text', { nullable: true }) comment: string | null;
  @Column('jsonb', { nullable: true }) dimensions: Record<string, number> | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('team_reputation')
export class TeamReputation {
  @PrimaryColumn('uuid', { name: 'team_id' }) teamId: string;
  @Column('int', { name: 'rating_count' }) ratingCount: number;
  @Column('int', { name: 'stars_sum' }) starsSum: number;
  @Column('int', { name: 'solved_count' }) solvedCount: number;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
