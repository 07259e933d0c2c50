import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { LoaderRegistry, ProductOwnersQuery, type Infra, type InternalClient, type Logger } from '@fashionistar/shared';
import type { ReviewsContext, ReviewsDeps } from '../context';

/** Products asked about per catalog call. */
export const BACKFILL_BATCH = 500;
/** Waits before another pass after the catalog could not answer (it may still be starting): doubling from 1 s to 1 min. */
const RETRY_MS = { first: 1000, max: 60_000 };

/**
 * Fills `review.vendor_id` of rows written before the inbox existed (and of the demo seed, which
 * leaves it to this: the catalog alone knows who sells a product), from the catalog's
 * `productOwners`, a batch of products per call, walking the products in id order so a product the
 * catalog does not know is skipped rather than asked about forever. Answers how many reviews it
 * filled. New reviews never need it: `addReview` writes the store it already asked the catalog for.
 */
export async function backfillReviewVendors(ds: DataSource, internal: InternalClient, infra: Infra, log: Logger): Promise<number> {
  const ctx: ReviewsContext = {
    requestId: `reviews-backfill-${randomUUID()}`,
    log,
    identity: null,
    clientIp: null,
    userAgent: null,
    em: ds.manager,
    loaders: new LoaderRegistry(),
    infra,
    afterCommit: [],
    deps: { internal } as ReviewsDeps,
  };
  let filled = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows: Array<{ product_id: string }> = await ds.query(
      `SELECT DISTINCT product_id FROM review WHERE vendor_id IS NULL AND product_id > $1 ORDER BY product_id LIMIT $2`,
      [after, BACKFILL_BATCH],
    );
    if (!rows.length) return filled;
    const ids = rows.map((r) => r.product_id);
    const owners = (await internal.query(ctx, ProductOwnersQuery, { ids })).productOwners;
    if (owners.length) {
      const [, n]: [unknown, number] = await ds.query(
        `UPDATE review r SET vendor_id = o.vendor_id
           FROM unnest($1::uuid[], $2::uuid[]) AS o(product_id, vendor_id)
          WHERE r.product_id = o.product_id AND r.vendor_id IS NULL`,
        [owners.map((o) => o.productId), owners.map((o) => o.vendorId)],
      );
      filled += n;
    }
    after = ids.at(-1)!;
  }
}

/**
 * Runs the backfill in the background once the subgraph is up, again after a failure (the catalog
 * may start after reviews under `npm start`), until a pass completes; it stops with the process's
 * database. Never blocks start-up: until it is done, older reviews are missing from store inboxes.
 */
export function startReviewVendorBackfill(rt: { dataSource: DataSource; deps: ReviewsDeps; infra: Infra; log: Logger }): void {
  const run = async (wait: number) => {
    if (!rt.dataSource.isInitialized) return;
    try {
      const filled = await backfillReviewVendors(rt.dataSource, rt.deps.internal, rt.infra, rt.log);
      if (filled) rt.log.info({ filled }, 'review stores backfilled');
    } catch (err) {
      if (!rt.dataSource.isInitialized) return;
      rt.log.warn({ err, retryInMs: wait }, 'review store backfill failed; will retry');
      setTimeout(() => void run(Math.min(wait * 2, RETRY_MS.max)), wait).unref();
    }
  };
  void run(RETRY_MS.first);
}
