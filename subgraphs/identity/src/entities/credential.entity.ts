import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** How a user proves who they are. PASSWORD now; GOOGLE and PASSKEY fit without reshaping users. */
export type CredentialKind = 'PASSWORD' | 'GOOGLE' | 'PASSKEY';

@Entity('credential')
export class CredentialEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  userId!: string;

  @Column('text')
  kind!: CredentialKind;

  /** argon2id hash for PASSWORD; the public key for PASSKEY. */
  @Column('text', { nullable: true })
  secret!: string | null;

  /** The provider's subject (Google `sub`, passkey credential id). */
  @Column('text', { nullable: true })
  externalId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
