import {
  ForbiddenError,
  NotFoundError,
  UserRoleGranted,
  emitEvent,
  inTransaction,
  isUuid,
  requireUser,
  type Role,
} from '@fashionistar/shared';
import type { IdentityContext } from '../context';

/** What `grantVendorRole` answers. */
export interface RoleGrant {
  userId: string;
  roles: Role[];
  granted: boolean;
}

/**
 * Adds VENDOR to the caller's own account, for vendors when a customer applies for a store
 * (internal: `@inaccessible`, router secret). Only the caller's own account: a subgraph acts for
 * its signed-in caller, never for someone else. Idempotent under the user row's lock (two
 * applications at once add the role once, and only the one that added it emits the event).
 * Sessions are not ended, unlike an ADMIN grant: VENDOR is a role anyone may take at sign-up, so it
 * needs no fresh proof of identity; the next refresh signs it into the access token (refresh reads
 * the account's roles).
 */
export async function grantVendorRole(ctx: IdentityContext, userId: string): Promise<RoleGrant> {
  const me = requireUser(ctx);
  if (!isUuid(userId) || userId.toLowerCase() !== me.userId.toLowerCase())
    throw new ForbiddenError('Only your own account can be given the VENDOR role.');
  return inTransaction(ctx, async (tx) => {
    const [row]: Array<{ roles: Role[]; deleted: boolean }> = await tx.em.query(
      `SELECT roles, deleted_at IS NOT NULL AS deleted FROM app_user WHERE id = $1 FOR UPDATE`,
      [me.userId],
    );
    if (!row || row.deleted) throw new NotFoundError('User', me.userId);
    if (row.roles.includes('VENDOR')) return { userId: me.userId, roles: row.roles, granted: false };
    const [[updated]]: [Array<{ roles: Role[] }>, number] = await tx.em.query(
      `UPDATE app_user SET roles = array_append(roles, 'VENDOR'), updated_at = now() WHERE id = $1 RETURNING roles`,
      [me.userId],
    );
    await emitEvent(tx, UserRoleGranted, { userId: me.userId, role: 'VENDOR', roles: updated!.roles });
    return { userId: me.userId, roles: updated!.roles, granted: true };
  });
}
