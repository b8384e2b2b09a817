import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One item of the service menu (菜单), e.g. 上门理发. */
@Entity('services')
export class ServiceItem {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text', { unique: true }) code: string;
  @Column('text') name: string;
  @Column('text', { name: 'group_name' }) group: string;
  @Column('text', { nullable: true }) description: string | null;
  @Column('text', { name: 'required_skills', array: true }) requiredSkills: string[];
  @Column('int', { name: 'accept_timeout_seconds', default: 900 }) acceptTimeoutSeconds: number;
  @Column('boolean', { name: 'requires_review', default: false }) requiresReview: boolean;
  @Column('text', { name: 'offer_mode', default: 'offer' }) offerMode: 'offer' | 'grab';
  @Column('boolean', { default: true }) active: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
