import type { MemberRole } from '@fashionistar/shared';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A user's part in a store. Every ownership rule goes through this table (never a user id on the
 * store), so adding STAFF members later changes no rule.
 */
@Entity('vendor_member')
export class VendorMemberEntity {
  @PrimaryColumn('uuid')
  vendorId!: string;

  @PrimaryColumn('uuid')
  userId!: string;

  @Column('text')
  role!: MemberRole;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

/** Defined with the subgraph's event contracts (one home for both sides). */
export type { MemberRole };
