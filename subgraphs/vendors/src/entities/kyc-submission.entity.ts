import type { KycDocumentType, KycStatus } from '@fashionistar/shared';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('kyc_submission')
export class KycSubmissionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  vendorId!: string;

  @Column('text')
  documentType!: KycDocumentType;

  /** Null once erased: the uploader deleted the account, or the store was closed by that. */
  @Column('text', { nullable: true })
  documentUrl!: string | null;

  @Column('text')
  status!: KycStatus;

  @Column('uuid', { nullable: true })
  reviewerId!: string | null;

  @Column('text', { nullable: true })
  reviewNote!: string | null;

  @Column('uuid')
  submittedBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  reviewedAt!: Date | null;
}

/** Defined with the subgraph's event contracts (one home for both sides). */
export type { KycDocumentType, KycStatus };
