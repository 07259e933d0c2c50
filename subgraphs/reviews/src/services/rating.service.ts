import { ProductRatingChanged, emitEvent } from '@fashionistar/shared';
import type { ReviewsContext } from '../context';
import type { ProductRatingEntity } from '../entities/product-rating.entity';

/** A product as this subgraph knows it: only its id (the catalog owns the rest). */
export interface ProductRef {
  id: string;
}

/** A product's rating aggregate; `stars[0]` counts 1-star reviews, `stars[4]` 5-star ones. */
export interface RatingSummary {
  productId: string;
  count: number;
  sum: number;
  stars: [number, number, number, number, number];
}

export const emptyRating = (productId: string): RatingSummary => ({ productId, count: 0, sum: 0, stars: [0, 0, 0, 0, 0] });

export function ratingFromEntity(e: ProductRatingEntity): RatingSummary {
  return { productId: e.productId, count: e.count, sum: e.sum, stars: [e.stars1, e.stars2, e.stars3, e.stars4, e.stars5] };
}

/** Mean stars rounded to one decimal, or null without reviews (0 would read as "terrible"). */
export function averageOf(r: Pick<RatingSummary, 'count' | 'sum'>): number | null {
  return r.count === 0 ? null : Math.round((r.sum * 10) / r.count) / 10;
}

/** Buckets from 5 stars down to 1, every bucket present so clients can draw bars without gaps. */
export function distributionOf(r: RatingSummary): Array<{ stars: number; count: number }> {
  return [5, 4, 3, 2, 1].map((stars) => ({ stars, count: r.stars[stars - 1]! }));
}

/** What a review change does to its product's aggregate: a rating leaves it, one enters it, or both. */
export interface RatingChange {
  remove?: number;
  add?: number;
}

const RETURNING = `RETURNING product_id AS "productId", count, sum, stars_1, stars_2, stars_3, stars_4, stars_5, version::text AS version`;

/**
 * Applies `change` (never a no-op: callers skip unchanged ratings) to the product's aggregate inside the caller's transaction and emits
 * `reviews.product-rating.changed` with the result. The statement locks the aggregate row, so
 * concurrent review changes for one product queue up instead of losing each other's counts, and
 * each one moves the row's version on by one (a new row starts at 1: no row is version 0).
 */
export async function applyRatingChange(tx: ReviewsContext, productId: string, change: RatingChange): Promise<RatingSummary> {
  const delta = [0, 0, 0, 0, 0];
  if (change.remove) delta[change.remove - 1]! -= 1;
  if (change.add) delta[change.add - 1]! += 1;
  const count = (change.add ? 1 : 0) - (change.remove ? 1 : 0);
  const sum = (change.add ?? 0) - (change.remove ?? 0);
  let rows: RatingRow[];
  if (!change.remove) {
    // The first review of a product creates the row; ON CONFLICT turns a race into an increment.
    // (Only for additions: Postgres checks CHECK constraints on the proposed row before it
    // looks for a conflict, so a negative proposed row would fail even when the row exists.)
    rows = await tx.em.query(
      `INSERT INTO product_rating AS pr (product_id, count, sum, stars_1, stars_2, stars_3, stars_4, stars_5, version, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, now())
       ON CONFLICT (product_id) DO UPDATE SET
         count = pr.count + EXCLUDED.count, sum = pr.sum + EXCLUDED.sum,
         stars_1 = pr.stars_1 + EXCLUDED.stars_1, stars_2 = pr.stars_2 + EXCLUDED.stars_2,
         stars_3 = pr.stars_3 + EXCLUDED.stars_3, stars_4 = pr.stars_4 + EXCLUDED.stars_4,
         stars_5 = pr.stars_5 + EXCLUDED.stars_5, version = pr.version + 1, updated_at = now()
       ${RETURNING}`,
      [productId, count, sum, ...delta],
    );
  } else {
    // A removal or a change of stars: the visible review was counted, so the row exists.
    const result: [RatingRow[], number] = await tx.em.query(
      `UPDATE product_rating SET count = count + $2, sum = sum + $3,
         stars_1 = stars_1 + $4, stars_2 = stars_2 + $5, stars_3 = stars_3 + $6, stars_4 = stars_4 + $7, stars_5 = stars_5 + $8,
         version = version + 1, updated_at = now()
       WHERE product_id = $1 ${RETURNING}`,
      [productId, count, sum, ...delta],
    );
    rows = result[0];
    if (rows.length !== 1) throw new Error(`product_rating of ${productId} is missing a counted review`);
  }
  const rating = fromRow(rows[0]!);
  await emitEvent(tx, ProductRatingChanged, {
    productId,
    average: averageOf(rating),
    count: rating.count,
    version: Number(rows[0]!.version),
  });
  return rating;
}

interface RatingRow {
  productId: string;
  count: number;
  sum: number;
  stars_1: number;
  stars_2: number;
  stars_3: number;
  stars_4: number;
  stars_5: number;
  /** bigint, selected as text (the driver answers bigint as a string anyway). */
  version: string;
}

const fromRow = (r: RatingRow): RatingSummary => ({
  productId: r.productId,
  count: r.count,
  sum: r.sum,
  stars: [r.stars_1, r.stars_2, r.stars_3, r.stars_4, r.stars_5],
});
