import DataLoader from 'dataloader';
import { ForbiddenError, byKey, hasRole, memoPerRequest, requireUser } from '@fashionistar/shared';
import type { CatalogContext } from '../context';

/** The vendors subgraph's answer about one store and the caller. */
export interface StoreAccess {
  vendorId: string;
  status: 'PENDING' | 'APPROVED' | 'SUSPENDED' | 'CLOSED';
  memberRole: 'OWNER' | 'STAFF' | null;
}

/**
 * Store membership and status come from the vendors subgraph at the moment of the decision (a
 * synchronous call with the router secret and the caller's identity): a projection could lag,
 * and the moment approveVendor returns the store must be able to publish. A per-request
 * DataLoader batches every store asked about in one tick into one call and caches the answers.
 */
export const storeAccessLoader = (ctx: CatalogContext) =>
  ctx.loaders.get(
    'storeAccess',
    () =>
      new DataLoader<string, StoreAccess | null>(async (vendorIds) => {
        const d = await ctx.deps.internal.query<{ storeAccess: StoreAccess[] }>(
          ctx,
          'vendors',
          'query($ids: [ID!]!) { storeAccess(vendorIds: $ids) { vendorId status memberRole } }',
          { ids: [...vendorIds] },
        );
        return byKey(vendorIds, d.storeAccess, (a) => a.vendorId);
      }),
  );

/** The caller's own store (the one new products go to), or FORBIDDEN. */
export async function myStore(ctx: CatalogContext): Promise<StoreAccess> {
  requireUser(ctx);
  const access = await memoPerRequest(ctx.loaders, `myStoreAccess:${ctx.identity!.userId}`, async () => {
    const d = await ctx.deps.internal.query<{ myStoreAccess: StoreAccess | null }>(
      ctx,
      'vendors',
      '{ myStoreAccess { vendorId status memberRole } }',
    );
    return d.myStoreAccess;
  });
  if (!access?.memberRole) throw new ForbiddenError('Open a store first (applyAsVendor) to sell products.');
  return access;
}

/** True when the caller may manage the store's products (a member, or an admin). */
export async function canManage(ctx: CatalogContext, vendorId: string): Promise<boolean> {
  if (!ctx.identity) return false;
  if (hasRole(ctx, 'ADMIN')) return true;
  const access = await storeAccessLoader(ctx).load(vendorId);
  return !!access?.memberRole;
}

/** FORBIDDEN unless the caller may manage the store's products; answers the store's access. */
export async function requireManage(ctx: CatalogContext, vendorId: string): Promise<StoreAccess> {
  requireUser(ctx);
  const access = await storeAccessLoader(ctx).load(vendorId);
  if (!access || (!access.memberRole && !hasRole(ctx, 'ADMIN')))
    throw new ForbiddenError('You can only manage products of your own store.');
  return access;
}
