import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A name/value line of a product's specification sheet. */
@Entity('specification')
export class SpecificationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  productId!: string;

  @Column('text')
  name!: string;

  @Column('text')
  value!: string;

  @Column('integer')
  position!: number;
}

@Entity('faq')
export class FaqEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  productId!: string;

  @Column('text')
  question!: string;

  @Column('text')
  answer!: string;

  @Column('integer')
  position!: number;
}

/** One stock change with its reason (append-only ledger). */
@Entity('stock_movement')
export class StockMovementEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  productId!: string;

  @Column('uuid', { nullable: true })
  variantId!: string | null;

  @Column('integer')
  delta!: number;

  @Column('integer')
  resultingStock!: number;

  @Column('text')
  reason!: string;

  @Column('uuid', { nullable: true })
  actorId!: string | null;

  @Column('timestamptz')
  createdAt!: Date;
}
