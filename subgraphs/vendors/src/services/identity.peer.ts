import { AppError } from '@fashionistar/shared';
import type { VendorsContext } from '../context';

/**
 * Questions vendors asks the identity subgraph, which alone knows e-mail addresses. Asked with
 * the caller's identity (identity answers only signed-in callers) and never inside a transaction,
 * so no row lock is held while waiting on HTTP.
 */

/** Identity's internal `userIdsByEmail`: accounts whose verified e-mail is one of `emails`. */
export const USER_IDS_BY_EMAIL_QUERY = 'query($emails: [String!]!) { userIdsByEmail(emails: $emails) { email userId } }';

/**
 * The user id of the account with this verified, normalised e-mail, or null. Every caller here
 * is signed in, so UNAUTHENTICATED from identity means it refused our router secret: a deployment
 * fault, reported as an internal error rather than telling the user to sign in again.
 */
export async function userIdByEmail(ctx: VendorsContext, email: string): Promise<string | null> {
  try {
    const d = await ctx.deps.internal.query<{ userIdsByEmail: Array<{ email: string; userId: string }> }>(
      ctx,
      'identity',
      USER_IDS_BY_EMAIL_QUERY,
      { emails: [email] },
    );
    return d.userIdsByEmail.find((m) => m.email === email)?.userId ?? null;
  } catch (error) {
    if (error instanceof AppError && error.code === 'UNAUTHENTICATED') {
      throw new Error(`identity refused this subgraph's call: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
