import { IsNull, In, Not } from 'typeorm';
import { BadUserInputError, isUuid, normalizeEmail, requireUser } from '@fashionistar/shared';
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

/** Most accounts one `userContacts` call may ask about (a store has at most 50 members). */
export const MAX_CONTACT_LOOKUP = 100;

/**
 * E-mail and phone of live accounts, in input order and once each, for other subgraphs only
 * (`@inaccessible`, router secret). The asking subgraph decided that its caller may see them
 * (vendors: members and admins of a store, about its members); identity cannot know a store's
 * members, so it only keeps the lookup tied to a signed-in caller and small.
 */
export async function userContacts(
  ctx: IdentityContext,
  ids: readonly string[],
): Promise<Array<{ userId: string; email: string | null; phone: string | null }>> {
  requireUser(ctx);
  if (ids.length > MAX_CONTACT_LOOKUP) throw new BadUserInputError(`Ask about at most ${MAX_CONTACT_LOOKUP} accounts at a time.`, 'ids');
  const wanted = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];
  if (!wanted.length) return [];
  const users = await ctx.em.find(UserEntity, {
    select: { id: true, email: true, phone: true },
    where: { id: In(wanted), deletedAt: IsNull() },
  });
  const byId = new Map(users.map((u) => [u.id, u]));
  return wanted.flatMap((id) => {
    const u = byId.get(id);
    return u ? [{ userId: u.id, email: u.email, phone: u.phone }] : [];
  });
}
