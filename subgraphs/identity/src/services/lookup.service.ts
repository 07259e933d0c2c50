import { IsNull, In, Not } from 'typeorm';
import { BadUserInputError, normalizeEmail, requireUser } from '@fashionistar/shared';
import type { IdentityContext } from '../context';
import { UserEntity } from '../entities/user.entity';

/** Most addresses one `userIdsByEmail` call may ask about. */
export const MAX_EMAIL_LOOKUP = 20;

/**
 * Accounts by verified e-mail, for other subgraphs only (the field is `@inaccessible`, and every
 * subgraph request needs the router secret). It stays out of reach of anonymous traffic (a
 * signed-in caller is required, so every lookup is tied to an account), asks about few addresses
 * at a time, and matches only verified addresses: someone who signed up with another person's
 * address must not receive what was meant for that person. The calling subgraph answers its own
 * client the same whether or not an address matched.
 */
export async function userIdsByEmail(ctx: IdentityContext, emails: readonly string[]): Promise<Array<{ email: string; userId: string }>> {
  requireUser(ctx);
  if (emails.length > MAX_EMAIL_LOOKUP) throw new BadUserInputError(`Ask about at most ${MAX_EMAIL_LOOKUP} addresses at a time.`, 'emails');
  const wanted = [...new Set(emails.map((e, i) => normalizeEmail(e, `emails.${i}`)))];
  if (!wanted.length) return [];
  const users = await ctx.em.find(UserEntity, {
    select: { id: true, email: true },
    where: { email: In(wanted), emailVerifiedAt: Not(IsNull()), deletedAt: IsNull() },
  });
  return users.map((u) => ({ email: u.email!, userId: u.id }));
}
