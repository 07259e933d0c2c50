import { Column, Entity, PrimaryColumn } from 'typeorm';

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
}
