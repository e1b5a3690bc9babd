import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UrlEntity } from './url.entity';

/**
 * One counted redirect. `client_ip` holds the anonymised address (IPv4 /24, IPv6 /48): enough for
 * abuse analysis, not enough to identify a person.
 */
@Entity({ name: 'visits' })
@Index('idx_visits_short_code', ['shortCode'])
export class VisitEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ name: 'short_code', type: 'varchar', length: 32 })
  shortCode!: string;

  @ManyToOne(() => UrlEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'short_code', referencedColumnName: 'shortCode' })
  url?: UrlEntity;

  @Column({ name: 'client_ip', type: 'varchar', length: 64, nullable: true })
  clientIp!: string | null;

  @Column({ type: 'varchar', length: 100, default: 'Unknown' })
  country!: string;

  @Column({ type: 'varchar', length: 100, default: 'Unknown' })
  city!: string;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @CreateDateColumn({ name: 'visited_at', type: 'timestamptz' })
  visitedAt!: Date;
}
