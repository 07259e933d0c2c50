import { ProductOwnersQuery, StoreAccessQuery, memoPerRequest, type ProductOwner, type StoreAccess } from '@fashionistar/shared';
import type { ReviewsContext } from '../context';

/**
 * Write-time questions to the subgraphs that own the answers. Asked synchronously (a projection
 * could lag behind an unpublish or a removed store member), outside any transaction (no lock is
 * held while waiting on HTTP), and memoized per request. Documents and result types are the
 * owners' contracts; the internal client maps the peers' errors (see InternalClient.query).
 */

/** The product's owner and status, or null when the catalog does not know it. */
export function productOwner(ctx: ReviewsContext, productId: string): Promise<ProductOwner | null> {
  return memoPerRequest(ctx.loaders, `catalog.productOwners:${productId}`, async () => {
    const data = await ctx.deps.internal.query(ctx, ProductOwnersQuery, { ids: [productId] });
    return data.productOwners.find((o) => o.productId === productId) ?? null;
  });
}

/** The caller's access to the store (asked with the caller's identity), or null for an unknown store. */
export function storeAccess(ctx: ReviewsContext, vendorId: string): Promise<StoreAccess | null> {
  return memoPerRequest(ctx.loaders, `vendors.storeAccess:${vendorId}`, async () => {
    const data = await ctx.deps.internal.query(ctx, StoreAccessQuery, { ids: [vendorId] });
    return data.storeAccess.find((a) => a.vendorId === vendorId) ?? null;
  });
}
