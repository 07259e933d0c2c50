import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** CLOSED is terminal: the store's only owner deleted the account; no operation reopens it. */
export type VendorStatus = 'PENDING' | 'APPROVED' | 'SUSPENDED' | 'CLOSED';
export type Weekday = 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT' | 'SUN';
export const WEEKDAYS: readonly Weekday[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

/** One day's opening hours, times as "HH:MM" (24-hour, Lagos time). */
export interface BusinessHours {
  day: Weekday;
  opens: string;
  closes: string;
}

@Entity('vendor')
export class VendorEntity {
  @PrimaryColumn('uuid')
  id!: string;

  /** Made once from the first name; stays stable on rename so shared links keep working. */
  @Column('text')
  slug!: string;

  @Column('text')
  name!: string;

  @Column('text', { nullable: true })
  description!: string | null;

  @Column('text', { nullable: true })
  logoUrl!: string | null;

  @Column('text', { nullable: true })
  contactEmail!: string | null;

  @Column('text', { nullable: true })
  contactPhone!: string | null;

  @Column('jsonb')
  businessHours!: BusinessHours[];

  @Column('text')
  status!: VendorStatus;

  @Column('text', { nullable: true })
  suspendedReason!: string | null;

  /** numeric(5,4) read as a string ("0.1250"): a fraction must not pass through a float. */
  @Column('numeric', { precision: 5, scale: 4, nullable: true })
  commissionRate!: string | null;

  @Column('timestamptz', { nullable: true })
  approvedAt!: Date | null;

  /**
   * One more with every change of the row, made under its lock (a new store is 1), so it orders
   * the store's changes as they committed; sent in its events. bigint: read as a string.
   */
  @Column('bigint')
  version!: string;

  /** Millisecond precision (timestamptz(3)) so a JS Date in a keyset cursor matches the row exactly. */
  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
