import type { EntityManager } from 'typeorm';
import type { EventHandlers, EVENT_ROUTES, ProductRating } from '@fashionistar/shared';

/** Store statuses whose products shoppers must not see (CLOSED: the only owner deleted the account). */
export const HIDING_STATUSES: readonly string[] = ['SUSPENDED', 'CLOSED'];

/**
 * Read-side copies fed by other subgraphs' events. They may lag by seconds, so they serve only
 * the storefront's reads (hiding a suspended or closed store's products, sorting by rating), never a
 * write-time decision. Events can arrive late or twice: each carries its aggregate's version
 * (incremented under the owner's row lock), and a copy only ever moves to a higher version.
 *
 * No `identity.user.deleted` handler: catalog keeps no personal data of users (stock_movement's
 * actor_id is an id that identity has anonymised; a deleted owner's products are hidden through
 * the store's CLOSED status-changed event instead).
 */
export const catalogEventHandlers: EventHandlers<typeof EVENT_ROUTES, 'catalog'> = {
  'vendors.vendor.status-changed': async ({ payload: { vendorId, status, version } }, em) => {
    const hidden = HIDING_STATUSES.includes(status);
    const applied: unknown[] = await em.query(
      `INSERT INTO vendor_copy (vendor_id, suspended, version) VALUES ($1, $2, $3)
       ON CONFLICT (vendor_id) DO UPDATE SET suspended = EXCLUDED.suspended, version = EXCLUDED.version
         WHERE vendor_copy.version < EXCLUDED.version
       RETURNING vendor_id`,
      [vendorId, hidden, version],
    );
    if (applied.length) {
      await em.query(`UPDATE product SET vendor_hidden = $2 WHERE vendor_id = $1 AND vendor_hidden <> $2`, [vendorId, hidden]);
    }
  },
  'reviews.ratings.snapshot': ({ payload }, em) => applyRatings(em, payload.ratings),
  'reviews.product-rating.changed': ({ payload }, em) => applyRatings(em, [payload]),
};

async function applyRatings(em: EntityManager, ratings: ProductRating[]): Promise<void> {
  await em.query(
    `UPDATE product p SET rating_average = r.average, rating_count = r.count, rating_version = r.version
       FROM unnest($1::uuid[], $2::numeric[], $3::int[], $4::bigint[]) AS r(id, average, count, version)
      WHERE p.id = r.id AND p.rating_version < r.version`,
    [ratings.map((r) => r.productId), ratings.map((r) => r.average), ratings.map((r) => r.count), ratings.map((r) => r.version ?? 0)],
  );
}
