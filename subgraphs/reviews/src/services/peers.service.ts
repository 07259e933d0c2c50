import { AppError, memoPerRequest } from '@fashionistar/shared';
import type { ReviewsContext } from '../context';

/**
 * Write-time questions to the subgraphs that own the answers. Asked synchronously (a projection
 * could lag behind an unpublish or a removed store member), outside any transaction (no lock is
 * held while waiting on HTTP), and memoized per request.
 */

/** Who sells a product and its status, as the catalog answers `productOwners`. */
export interface ProductOwner {
  productId: string;
  vendorId: string;
  status: string;
  /** False when an admin hid the product or its store is suspended. */
  visible: boolean;
}

/** The caller's access to a store, as vendors answers `storeAccess`. */
export interface StoreAccess {
  vendorId: string;
  status: string;
  /** The caller's role in the store; null when not a member. */
  memberRole: string | null;
}

export const PRODUCT_OWNERS_QUERY = 'query($ids: [ID!]!) { productOwners(ids: $ids) { productId vendorId status visible } }';
export const STORE_ACCESS_QUERY = 'query($ids: [ID!]!) { storeAccess(vendorIds: $ids) { vendorId status memberRole } }';

/**
 * Every caller here is already signed in, so a peer answering UNAUTHENTICATED refused the router
 * secret (a deployment fault), not the user: passing it on would tell a signed-in client to sign
 * in again. It becomes an internal error instead (logged, and masked in production).
 */
async function ask<T>(ctx: ReviewsContext, peer: 'catalog' | 'vendors', query: string, ids: string[]): Promise<T> {
  try {
    return await ctx.deps.internal.query<T>(ctx, peer, query, { ids });
  } catch (error) {
    if (error instanceof AppError && error.code === 'UNAUTHENTICATED') {
      throw new Error(`${peer} refused this subgraph's call: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** The product's owner and status, or null when the catalog does not know it. */
export function productOwner(ctx: ReviewsContext, productId: string): Promise<ProductOwner | null> {
  return memoPerRequest(ctx.loaders, `catalog.productOwners:${productId}`, async () => {
    const data = await ask<{ productOwners: ProductOwner[] }>(ctx, 'catalog', PRODUCT_OWNERS_QUERY, [productId]);
    return data.productOwners.find((o) => o.productId === productId) ?? null;
  });
}

/** The caller's access to the store (asked with the caller's identity), or null for an unknown store. */
export function storeAccess(ctx: ReviewsContext, vendorId: string): Promise<StoreAccess | null> {
  return memoPerRequest(ctx.loaders, `vendors.storeAccess:${vendorId}`, async () => {
    const data = await ask<{ storeAccess: StoreAccess[] }>(ctx, 'vendors', STORE_ACCESS_QUERY, [vendorId]);
    return data.storeAccess.find((a) => a.vendorId === vendorId) ?? null;
  });
}
