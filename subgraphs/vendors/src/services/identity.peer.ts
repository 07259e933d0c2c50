import { UserIdsByEmailQuery } from '@fashionistar/shared';
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
