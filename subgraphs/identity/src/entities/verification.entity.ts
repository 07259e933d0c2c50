import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type TokenPurpose = 'VERIFY_EMAIL' | 'CHANGE_EMAIL' | 'PASSWORD_RESET';

/** A single-use link token (stored as its SHA-256 only). */
@Entity('verification_token')
export class VerificationTokenEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  userId!: string;

  @Column('text')
  purpose!: TokenPurpose;

  @Column('text')
  tokenHash!: string;

  /** The e-mail being verified (the new one for CHANGE_EMAIL). */
  @Column('text')
  target!: string;

  @Column('timestamptz')
  expiresAt!: Date;

  @Column('timestamptz', { nullable: true })
  usedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

export type OtpPurpose = 'VERIFY_PHONE' | 'CHANGE_PHONE' | 'PASSWORD_RESET';

/** A 6-digit code sent by SMS, stored salted and hashed, with an attempt counter. */
@Entity('phone_otp')
export class PhoneOtpEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  userId!: string;

  @Column('text')
  phone!: string;

  @Column('text')
  purpose!: OtpPurpose;

  @Column('text')
  codeHash!: string;

  @Column('integer')
  attempts!: number;

  @Column('timestamptz')
  expiresAt!: Date;

  @Column('timestamptz', { nullable: true })
  consumedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
