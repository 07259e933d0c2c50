import { IsNull } from 'typeorm';
import {
  UnauthenticatedError,
  UserDeleted,
  emitEvent,
  hasRole,
  inTransaction,
  requireText,
  requireUser,
  validateAll,
} from '@fashionistar/shared';
import type { IdentityContext } from '../context';
import { AddressEntity } from '../entities/address.entity';
import { CredentialEntity } from '../entities/credential.entity';
import { SessionEntity } from '../entities/session.entity';
import { UserEntity } from '../entities/user.entity';
import { userById } from '../loaders/user.loaders';
import { revokeAllSessions } from './session.service';
import { limitByIp } from './throttle.service';
import { eraseVerificationAndTrail, forgetMessagesOf } from './erasure.service';
import { checkAccountPassword } from './verification.service';

export async function me(ctx: IdentityContext): Promise<UserEntity> {
  const { userId } = requireUser(ctx);
  const user = await userById(ctx).load(userId);
  // A token can outlive a deleted account by a few seconds; treat it as signed out.
  if (!user || user.deletedAt) throw new UnauthenticatedError('This account no longer exists. Sign in again.', 'SESSION_ENDED');
  return user;
}

/** True when the caller may see the user's contact details and address book. */
export function canSeePrivate(ctx: IdentityContext, user: UserEntity): boolean {
  return ctx.identity?.userId === user.id || ctx.signedInNow.has(user.id) || hasRole(ctx, 'ADMIN');
}

/**
 * Changes the name: an absent field keeps its value; the names cannot be removed, so `null` or
 * blank text is refused on its path. Every problem is reported at once.
 */
export async function updateProfile(
  ctx: IdentityContext,
  input: { firstName?: string | null; lastName?: string | null },
): Promise<UserEntity> {
  const { userId } = requireUser(ctx);
  const patch = validateAll((p) => {
    const patch: Partial<UserEntity> = {};
    for (const key of ['firstName', 'lastName'] as const) {
      const value = input[key];
      if (value === undefined) continue;
      if (value === null) p.add(`input.${key}`, `${key} cannot be removed; give a new value or leave it out.`);
      else {
        const v = p.check(`input.${key}`, () => requireText(value, key, 100));
        if (v) patch[key] = v;
      }
    }
    return patch;
  });
  if (Object.keys(patch).length) await ctx.em.update(UserEntity, { id: userId }, patch);
  return ctx.em.findOneOrFail(UserEntity, { where: { id: userId } });
}

/**
 * Anonymises the account rather than deleting the row, so orders and reviews elsewhere keep a
 * valid reference; contact details, credentials and addresses go, sessions end (and forget their
 * IP address and user agent), links, codes and the messages that carried them are erased (see
 * erasure.service for what is kept and why), and `identity.user.deleted` tells other subgraphs to
 * follow. The password check shares the sign-in attempt limit.
 */
export async function deleteAccount(ctx: IdentityContext, password: string): Promise<boolean> {
  const { userId } = requireUser(ctx);
  await limitByIp(ctx);
  await checkAccountPassword(ctx, userId, password, 'password', 'The password is wrong.');
  await forgetMessagesOf(ctx, userId);
  await inTransaction(ctx, async (tx) => {
    // The user row is locked first, as every write on a user and its codes does (no deadlock);
    // the trail is blanked while the row still knows the addresses to look for.
    const user = await tx.em.findOne(UserEntity, { where: { id: userId }, lock: { mode: 'pessimistic_write' } });
    if (!user || user.deletedAt) return; // deleted meanwhile by a parallel call
    await eraseVerificationAndTrail(tx, userId);
    const erased = await tx.em.update(
      UserEntity,
      { id: userId, deletedAt: IsNull() },
      {
        email: null,
        phone: null,
        firstName: 'Deleted',
        lastName: 'user',
        emailVerifiedAt: null,
        phoneVerifiedAt: null,
        deletedAt: new Date(),
      },
    );
    if (!erased.affected) return; // deleted meanwhile by a parallel call
    await tx.em.delete(CredentialEntity, { userId });
    await tx.em.delete(AddressEntity, { userId });
    await revokeAllSessions(tx, userId, 'ACCOUNT_DELETED');
    await tx.em.update(SessionEntity, { userId }, { ipAddress: null, userAgent: null });
    await emitEvent(tx, UserDeleted, { userId });
  });
  return true;
}
