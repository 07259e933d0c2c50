import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ReviewStatus = 'VISIBLE' | 'HIDDEN';

/**
 * A review. Timestamps are stored with millisecond precision (timestamptz(3)) so a keyset cursor
 * built from a JS Date names the row exactly.
 *
 * Account deletion (`identity.user.deleted`): reviews has no consumer on purpose. It stores no
 * name, e-mail or phone, only user ids (author, voter, replier, moderator), and identity keeps
 * under a deleted account's id nothing but "Deleted user", so the id identifies nobody any more.
 * The reviews themselves stay as public content under that author: they are what shoppers and the
 * product's rating rely on, and deleting them would silently rewrite other people's ratings. A
 * body that names its author is a moderation matter (hideReview), not an erasure one.
 */
@Entity('review')
export class ReviewEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  productId!: string;

  @Column('uuid')
  authorId!: string;

  /**
   * The store selling the product when the review was written (a product never changes store);
   * null only for rows older than the inbox until the background backfill has asked the catalog.
   */
  @Column('uuid', { nullable: true })
  vendorId!: string | null;

  @Column('smallint')
  rating!: number;

  @Column('text', { nullable: true })
  title!: string | null;

  @Column('text')
  body!: string;

  @Column('boolean')
  verifiedPurchase!: boolean;

  @Column('text')
  status!: ReviewStatus;

  @Column('text', { nullable: true })
  hiddenReason!: string | null;

  @Column('uuid', { nullable: true })
  hiddenBy!: string | null;

  @Column('text', { nullable: true })
  replyBody!: string | null;

  @Column('uuid', { nullable: true })
  replyAuthorId!: string | null;

  @Column('timestamp with time zone', { nullable: true, precision: 3 })
  repliedAt!: Date | null;

  @Column('integer')
  helpfulCount!: number;

  @Column('integer')
  notHelpfulCount!: number;

  @Column('timestamp with time zone', { precision: 3 })
  createdAt!: Date;

  @Column('timestamp with time zone', { precision: 3 })
  updatedAt!: Date;
}

/**
 * The review columns under their property names, for hand-written SQL (lateral pages,
 * RETURNING) whose rows are turned into entities without a second read. `r` is the table alias.
 */
export const REVIEW_COLUMNS = `r.id, r.product_id AS "productId", r.author_id AS "authorId", r.vendor_id AS "vendorId", r.rating, r.title, r.body,
  r.verified_purchase AS "verifiedPurchase", r.status, r.hidden_reason AS "hiddenReason", r.hidden_by AS "hiddenBy",
  r.reply_body AS "replyBody", r.reply_author_id AS "replyAuthorId", r.replied_at AS "repliedAt",
  r.helpful_count AS "helpfulCount", r.not_helpful_count AS "notHelpfulCount",
  r.created_at AS "createdAt", r.updated_at AS "updatedAt"`;

/** A row selected with REVIEW_COLUMNS as an entity instance. */
export function toReview(row: Record<string, unknown>): ReviewEntity {
  return Object.assign(new ReviewEntity(), row);
}
