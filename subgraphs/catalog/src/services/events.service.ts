import type { EntityManager } from 'typeorm';
import type { EventHandler } from '@fashionistar/shared';

/**
 * Read-side copies fed by other subgraphs' events. They may lag by seconds, so they serve only
 * the storefront's reads (hiding a suspended store's products, sorting by rating), never a
 * write-time decision. Events can be retried out of order: a copy only moves forward in time
 * (`*_synced_at` holds the occurredAt of the event it came from).
 */
export const catalogEventHandlers: Record<string, EventHandler> = {
  'vendors.vendor.status-changed': async (event, em: EntityManager) => {
    const { vendorId, status } = event.payload as { vendorId: string; status: string };
    await em.query(
      `UPDATE product SET vendor_hidden = $2, vendor_synced_at = $3
        WHERE vendor_id = $1 AND (vendor_synced_at IS NULL OR vendor_synced_at <= $3)`,
      [vendorId, status === 'SUSPENDED', event.occurredAt],
    );
  },
  'reviews.ratings.snapshot': async (event, em: EntityManager) => {
    const { ratings } = event.payload as { ratings: Array<{ productId: string; average: number | null; count: number }> };
    await em.query(
      `UPDATE product p SET rating_average = r.average, rating_count = r.count, rating_synced_at = $4
         FROM unnest($1::uuid[], $2::numeric[], $3::int[]) AS r(id, average, count)
        WHERE p.id = r.id AND (p.rating_synced_at IS NULL OR p.rating_synced_at <= $4)`,
      [ratings.map((r) => r.productId), ratings.map((r) => r.average), ratings.map((r) => r.count), event.occurredAt],
    );
  },
  'reviews.product-rating.changed': async (event, em: EntityManager) => {
    const { productId, average, count } = event.payload as { productId: string; average: number | null; count: number };
    await em.query(
      `UPDATE product SET rating_average = $2, rating_count = $3, rating_synced_at = $4
        WHERE id = $1 AND (rating_synced_at IS NULL OR rating_synced_at <= $4)`,
      [productId, average, count, event.occurredAt],
    );
  },
};
