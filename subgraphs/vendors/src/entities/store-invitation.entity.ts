import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { MemberRole } from './vendor-member.entity';

/**
 * A pending offer to join a store. Only pending offers are kept: accepting or declining deletes
 * the row (the audit log records the membership change), so the unique (vendor, user) constraint
 * is exactly "one pending invitation per store and user".
 */
@Entity('store_invitation')
export class StoreInvitationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  vendorId!: string;

  /** Identity's user id of the invitee; vendors never stores the e-mail it was found by. */
  @Column('uuid')
  userId!: string;

  @Column('text')
  role!: MemberRole;

  @Column('uuid')
  invitedBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz')
  expiresAt!: Date;
}
