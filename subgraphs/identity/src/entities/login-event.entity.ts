import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type LoginOutcome = 'SUCCESS' | 'FAILURE' | 'BLOCKED';

/** The reasons written to `login_event.reason` (null for a plain successful sign-in). */
export type StoredLoginReason = 'registered' | 'bad_password' | 'unknown_account' | 'rate_limited';

/** One sign-in attempt. Append-only: a trigger refuses UPDATE and DELETE. */
@Entity('login_event')
export class LoginEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id!: string;

  /** Null when the identifier matched no account. */
  @Column('uuid', { nullable: true })
  userId!: string | null;

  @Column('text')
  identifier!: string;

  @Column('text')
  outcome!: LoginOutcome;

  /** A StoredLoginReason, or an older value this version does not know. */
  @Column('text', { nullable: true })
  reason!: string | null;

  @Column('text', { nullable: true })
  ipAddress!: string | null;

  @Column('text', { nullable: true })
  userAgent!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
