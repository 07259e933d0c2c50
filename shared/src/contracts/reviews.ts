import { defineEvent } from './event';

/** Events owned by the reviews subgraph. */

/**
 * A product's rating aggregate after a change. `version` is the aggregate row's version after the
 * change: it grows by one with every change under the row lock, so a copy keeps the highest
 * version it has applied and drops the rest.
 */
export interface ProductRating {
  productId: string;
  /** Null when the product has no visible review. */
  average: number | null;
  count: number;
  version: number;
}

export const ProductRatingChanged = defineEvent<ProductRating>()('reviews.product-rating.changed', 1);

/** Many ratings at once (the seed writes one per 1,000 rated products instead of an event each). */
export const RatingsSnapshot = defineEvent<{ ratings: ProductRating[] }>()('reviews.ratings.snapshot', 1);
