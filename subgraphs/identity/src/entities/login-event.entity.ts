import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type LoginOutcome = 'SUCCESS' | 'FAILURE' | 'BLOCKED';

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

  @Column('text', { nullable: true })
  reason!: string | null;

  @Column('text', { nullable: true })
  ipAddress!: string | null;

  @Column('text', { nullable: true })
  userAgent!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
