import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A changed field's value before and after (JSON values: strings, numbers, arrays, null). */
export interface FieldChange {
  from: unknown;
  to: unknown;
}

/** One audited change to a store. Append-only: a trigger refuses UPDATE and DELETE. */
@Entity('vendor_audit')
export class VendorAuditEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id!: string;

  @Column('uuid')
  vendorId!: string;

  /** Null for changes the system made (no signed-in actor). */
  @Column('uuid', { nullable: true })
  actorId!: string | null;

  @Column('text')
  action!: string;

  @Column('jsonb')
  changes!: Record<string, FieldChange>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
