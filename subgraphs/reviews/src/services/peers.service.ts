import DataLoader from 'dataloader';
import {
  ForbiddenError,
  ProductOwnersQuery,
  StoreAccessQuery,
  byKey,
  hasRole,
  memoPerRequest,
  requireUser,
  type ProductOwner,
  type StoreAccess,
} from '@fashionistar/shared';
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

/**
 * The caller's access to stores (asked with the caller's identity), null for an unknown store:
 * one vendors call per request tick, however many stores a page asks about.
 */
const storeAccessLoader = (ctx: ReviewsContext) =>
  ctx.loaders.get(
    'vendors.storeAccess',
    () =>
      new DataLoader<string, StoreAccess | null>(async (ids) => {
        const data = await ctx.deps.internal.query(ctx, StoreAccessQuery, { ids: [...ids] });
        return byKey(ids, data.storeAccess, (a) => a.vendorId);
      }),
  );

/** The caller's access to the store (asked with the caller's identity), or null for an unknown store. */
export function storeAccess(ctx: ReviewsContext, vendorId: string): Promise<StoreAccess | null> {
  return storeAccessLoader(ctx).load(vendorId.toLowerCase());
}

/**
 * Lets the caller read a store's review inbox: admins, and members whose role may reply to
 * reviews (the member matrix's REPLY_TO_REVIEWS, answered by vendors). UNAUTHENTICATED when
 * anonymous, FORBIDDEN for everyone else (an unknown store included: no oracle of store ids).
 */
export async function requireInboxAccess(ctx: ReviewsContext, vendorId: string): Promise<void> {
  requireUser(ctx);
  if (hasRole(ctx, 'ADMIN')) return;
  const access = await storeAccess(ctx, vendorId);
  if (!access?.permissions.includes('REPLY_TO_REVIEWS')) throw new ForbiddenError("Only the store's members can read its reviews inbox.");
}
