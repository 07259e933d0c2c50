import type { ProductStatus, ModerationStatus } from '@fashionistar/shared';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Money columns are bigint kobo; pg returns bigint as a string, so they are typed as such. */
@Entity('product')
export class ProductEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  vendorId!: string;

  @Column('uuid', { nullable: true })
  categoryId!: string | null;

  @Column('uuid', { nullable: true })
  brandId!: string | null;

  @Column('text')
  title!: string;

  @Column('text')
  slug!: string;

  @Column('text')
  description!: string;

  @Column('bigint')
  priceKobo!: string;

  @Column('bigint', { nullable: true })
  oldPriceKobo!: string | null;

  @Column('bigint')
  shippingKobo!: string;

  @Column('integer')
  stock!: number;

  @Column('text')
  status!: ProductStatus;

  @Column('text')
  moderation!: ModerationStatus;

  @Column('text', { nullable: true })
  moderationReason!: string | null;

  @Column('boolean')
  featured!: boolean;

  @Column('boolean')
  hotDeal!: boolean;

  @Column('boolean')
  specialOffer!: boolean;

  @Column('bigint')
  viewCount!: string;

  @Column('integer', { nullable: true })
  tailoringLeadDays!: number | null;

  @Column('text', { array: true })
  tags!: string[];

  /** Event-fed copy: true while the store is suspended (hides its products). */
  @Column('boolean')
  vendorHidden!: boolean;

  /** Event-fed copy of the reviews subgraph's aggregate, for sorting by rating. */
  @Column('numeric', { nullable: true })
  ratingAverage!: string | null;

  @Column('integer')
  ratingCount!: number;

  @Column('timestamptz', { nullable: true })
  publishedAt!: Date | null;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  updatedAt!: Date;
}

/** Defined with the subgraph's event contracts (one home for both sides). */
export type { ProductStatus, ModerationStatus };
