import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A short link. `visit_count` is maintained by the visit writer so listing never scans `visits`. */
@Entity({ name: 'urls' })
@Index('idx_urls_created_at', ['createdAt', 'id'])
export class UrlEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ name: 'short_code', type: 'varchar', length: 32, unique: true })
  shortCode!: string;

  @Column({ name: 'original_url', type: 'text' })
  originalUrl!: string;

  @Column({ type: 'text', nullable: true })
  title!: string | null;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ name: 'visit_count', type: 'bigint', default: 0 })
  visitCount!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
