import DataLoader from 'dataloader';
import { GrantVendorRoleMutation, UserContactsQuery, UserIdsByEmailQuery, byKey, type Role, type UserContact } from '@fashionistar/shared';
import type { VendorsContext } from '../context';

/**
 * Questions vendors asks the identity subgraph, which alone knows e-mail addresses. Asked with
 * the caller's identity (identity answers only signed-in callers) and never inside a transaction,
 * so no row lock is held while waiting on HTTP. The internal client maps identity's errors.
 */

/** The user id of the account with this verified, normalised e-mail, or null. */
export async function userIdByEmail(ctx: VendorsContext, email: string): Promise<string | null> {
  const d = await ctx.deps.internal.query(ctx, UserIdsByEmailQuery, { emails: [email] });
  return d.userIdsByEmail.find((m) => m.email === email)?.userId ?? null;
}

/** Most ids identity's `userContacts` takes in one call. */
const CONTACTS_BATCH = 100;

/**
 * Contact details by user id (null for an unknown or deleted account), one identity call per
 * request tick and 100 ids: a page of stores with their members costs one call. Callers decide
 * first that the caller may see them (see `VendorMember.email`); anonymous callers never get here.
 */
export const contactsByUser = (ctx: VendorsContext) =>
  ctx.loaders.get(
    'contactsByUser',
    () =>
      new DataLoader<string, UserContact | null>(
        async (ids) => {
          const d = await ctx.deps.internal.query(ctx, UserContactsQuery, { ids: [...ids] });
          return byKey(ids, d.userContacts, (c) => c.userId);
        },
        { maxBatchSize: CONTACTS_BATCH },
      ),
  );

/** Adds VENDOR to the caller's own account (idempotent); answers the account's roles after it. */
export async function grantVendorRole(ctx: VendorsContext, userId: string): Promise<Role[]> {
  const d = await ctx.deps.internal.query(ctx, GrantVendorRoleMutation, { userId });
  return d.grantVendorRole.roles;
}
