import { Column, DeleteDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('variant')
export class VariantEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  productId!: string;

  @Column('text', { nullable: true })
  size!: string | null;

  @Column('text', { nullable: true })
  colour!: string | null;

  @Column('text')
  sku!: string;

  @Column('bigint')
  priceDeltaKobo!: string;

  @Column('integer')
  stock!: number;

  @Column('integer')
  position!: number;

  /**
   * Set when the vendor removes the variant. The row stays for the stock ledger; as a TypeORM
   * delete-date column every find/count/exists skips it unless it asks `withDeleted`, so only
   * raw SQL has to say `removed_at IS NULL` itself.
   */
  @DeleteDateColumn({ type: 'timestamptz', nullable: true })
  removedAt!: Date | null;
}
