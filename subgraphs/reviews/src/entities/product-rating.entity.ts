import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The aggregate of a product's VISIBLE reviews, changed in the transaction of every review
 * change, so reading a rating never scans reviews.
 */
@Entity('product_rating')
export class ProductRatingEntity {
  @PrimaryColumn('uuid')
  productId!: string;

  @Column('integer')
  count!: number;

  @Column('integer')
  sum!: number;

  @Column('integer', { name: 'stars_1' })
  stars1!: number;

  @Column('integer', { name: 'stars_2' })
  stars2!: number;

  @Column('integer', { name: 'stars_3' })
  stars3!: number;

  @Column('integer', { name: 'stars_4' })
  stars4!: number;

  @Column('integer', { name: 'stars_5' })
  stars5!: number;

  /**
   * One more with every change of the row (made under its lock), so it orders changes as they
   * committed; sent in the events the catalog's copy is fed by. bigint: read as a string.
   */
  @Column('bigint')
  version!: string;

  @Column('timestamptz')
  updatedAt!: Date;
}
