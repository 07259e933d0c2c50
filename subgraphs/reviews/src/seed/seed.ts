import type { DataSource } from 'typeorm';
import { seedUuid, type Logger } from '@fashionistar/shared';

/** The catalog seeds product n (1..SEED_SCALE) under this id. */
export const seedProductId = (n: number): string => seedUuid(`product:${n}`);
/** Identity seeds customer1..customer5; they are the demo reviewers. */
export const seedCustomerId = (k: number): string => seedUuid(`user:customer${k}@fashionistar.test`);
export const SEED_AUTHORS = 5;

/** SEED_SCALE from the environment (default 2000), for callers without a loaded config. */
export function seedScaleFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.SEED_SCALE ?? 2000);
  return Number.isSafeInteger(n) && n >= 0 ? n : 2000;
}

/** A headline per star count (index = stars - 1). */
const TITLES = ['Very disappointed', 'Not as pictured', 'Okay for the price', 'Really nice', 'Absolutely love it'];

/** Three short bodies per star count, in star order (1-star ones first). */
const BODIES = [
  'The fabric is thin and the stitching came apart after one wash.',
  'Arrived a week late and the colour is nothing like the photos.',
  'Runs two sizes small and the seller never answered my message.',
  'The cut is fine but the material feels cheap for what I paid.',
  'Zip broke on the second wear. Had to take it to my tailor.',
  'Looks different from the pictures; the print is faded.',
  'Decent ankara print, but the sleeves were longer than expected.',
  'Good for everyday wear. Nothing special, nothing wrong.',
  'Fits as described, delivery to Lagos took five days.',
  'Lovely fit and the colours are bright. Would buy again.',
  'Wore it to a wedding in Abuja and got compliments all night.',
  'Quality stitching, true to size. Packaging could be better.',
  'Perfect fit, beautiful fabric and it came in two days. Highly recommend!',
  'My tailor said the finishing is excellent. Worth every naira.',
  'Exactly as pictured and so comfortable. Ordering another colour.',
];

/**
 * Seeds demo reviews idempotently on the catalog's demo products: about 60 % of products get 1-5
 * reviews from the seeded customers, with a deterministic spread of ratings (mostly 4 and 5
 * stars). Bulk statements in one transaction: no event per seeded row, only one ratings snapshot
 * per 1,000 rated products for the catalog's copy. The aggregate is filled from the reviews just
 * inserted, so it is consistent even when the scale grows between runs. The reviews' store
 * (`vendor_id`) is left to the background backfill, which asks the catalog: only the catalog knows
 * who sells a product. Never called in production.
 */
export async function seedReviews(ds: DataSource, log: Logger, productCount = seedScaleFromEnv()): Promise<number> {
  const productIds = Array.from({ length: productCount }, (_, i) => seedProductId(i + 1));
  const authorIds = Array.from({ length: SEED_AUTHORS }, (_, i) => seedCustomerId(i + 1));
  const inserted = await ds.transaction(async (em) => {
    // n*7 mod 10 < 6 keeps 6 products of every 10; review k of product n is by customer k; x spreads
    // the stars about 5/7/13/30/45 % from 1 to 5.
    const rows: Array<{ product_id: string }> = await em.query(
      `WITH p AS (
         SELECT p.product_id, p.n::int AS n FROM unnest($1::uuid[]) WITH ORDINALITY AS p(product_id, n) WHERE (p.n * 7) % 10 < 6
       ), s AS (
         SELECT p.product_id, p.n, k,
                CASE WHEN x < 5 THEN 1 WHEN x < 12 THEN 2 WHEN x < 25 THEN 3 WHEN x < 55 THEN 4 ELSE 5 END AS rating,
                now() - ((p.n * 13 + k * 97) % 365) * interval '1 day' - ((p.n + k * 53) % 1440) * interval '1 minute' AS at
           FROM p
           CROSS JOIN LATERAL generate_series(1, 1 + (p.n * 3 + 1) % 5) AS k
           CROSS JOIN LATERAL (SELECT ((p.n * 131 + k * 71) * 17) % 100 AS x) AS h
       )
       INSERT INTO review (id, product_id, author_id, rating, title, body, verified_purchase, created_at, updated_at)
       SELECT md5('fashionistar-seed:review:' || s.n || ':' || s.k)::uuid, s.product_id, ($2::uuid[])[s.k], s.rating,
              ($3::text[])[s.rating], ($4::text[])[(s.rating - 1) * 3 + 1 + (s.n + s.k) % 3], (s.n + s.k) % 3 <> 0, s.at, s.at
         FROM s
       ON CONFLICT DO NOTHING
       RETURNING product_id`,
      [productIds, authorIds, TITLES, BODIES],
    );
    const touched = [...new Set(rows.map((r) => r.product_id))];
    if (touched.length) {
      await em.query(
        `INSERT INTO product_rating (product_id, count, sum, stars_1, stars_2, stars_3, stars_4, stars_5, version, updated_at)
         SELECT product_id, count(*), sum(rating),
                count(*) FILTER (WHERE rating = 1), count(*) FILTER (WHERE rating = 2), count(*) FILTER (WHERE rating = 3),
                count(*) FILTER (WHERE rating = 4), count(*) FILTER (WHERE rating = 5), 1, now()
           FROM review WHERE status = 'VISIBLE' AND product_id = ANY($1::uuid[])
          GROUP BY product_id
         ON CONFLICT (product_id) DO UPDATE SET
           count = EXCLUDED.count, sum = EXCLUDED.sum, stars_1 = EXCLUDED.stars_1, stars_2 = EXCLUDED.stars_2,
           stars_3 = EXCLUDED.stars_3, stars_4 = EXCLUDED.stars_4, stars_5 = EXCLUDED.stars_5,
           version = product_rating.version + 1, updated_at = now()`,
        [touched],
      );
      // The catalog keeps a copy of ratings for sorting. One snapshot event per 1,000 products
      // (not one per seeded row) lets it catch up with the seed like with any other change. Each
      // entry carries the row's version, like `reviews.product-rating.changed`, so the copy drops
      // whichever of the two is older whatever order they arrive in.
      await em.query(
        `INSERT INTO outbox_event (id, type, version, payload)
         SELECT gen_random_uuid(), 'reviews.ratings.snapshot', 1, jsonb_build_object('ratings', jsonb_agg(jsonb_build_object(
                  'productId', product_id, 'average', round(sum::numeric / count, 1), 'count', count, 'version', version)))
           FROM (SELECT *, (row_number() OVER (ORDER BY product_id) - 1) / 1000 AS chunk FROM product_rating WHERE product_id = ANY($1::uuid[])) r
          GROUP BY chunk`,
        [touched],
      );
    }
    return rows.length;
  });
  log.info({ inserted, products: productCount }, 'reviews seed done');
  return inserted;
}
