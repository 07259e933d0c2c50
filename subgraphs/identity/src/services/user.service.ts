import { BadUserInputError, emitEvent, hasRole, inTransaction, optionalText, requireUser, NotFoundError } from '@fashionistar/shared';
import type { IdentityContext } from '../context';
import { AddressEntity } from '../entities/address.entity';
import { CredentialEntity } from '../entities/credential.entity';
import { UserEntity } from '../entities/user.entity';
import { userById } from '../loaders/user.loaders';
import { verifyPassword } from './passwords';
import { revokeAllSessions } from './session.service';

export async function me(ctx: IdentityContext): Promise<UserEntity> {
  const { userId } = requireUser(ctx);
  const user = await userById(ctx).load(userId);
  // A token can outlive a deleted account by a few seconds; treat it as signed out.
  if (!user || user.deletedAt) throw new NotFoundError('User', userId);
  return user;
}

/** True when the caller may see the user's contact details and address book. */
export function canSeePrivate(ctx: IdentityContext, user: UserEntity): boolean {
  return ctx.identity?.userId === user.id || ctx.signedInNow.has(user.id) || hasRole(ctx, 'ADMIN');
}

export async function updateProfile(
  ctx: IdentityContext,
  input: { firstName?: string | null; lastName?: string | null },
): Promise<UserEntity> {
  const { userId } = requireUser(ctx);
  const patch: Partial<UserEntity> = {};
  if (input.firstName !== undefined && input.firstName !== null) {
    const v = optionalText(input.firstName, 'firstName', 100);
    if (!v) throw new BadUserInputError('firstName cannot be empty.', 'firstName');
    patch.firstName = v;
  }
  if (input.lastName !== undefined && input.lastName !== null) {
    const v = optionalText(input.lastName, 'lastName', 100);
    if (!v) throw new BadUserInputError('lastName cannot be empty.', 'lastName');
    patch.lastName = v;
  }
  if (Object.keys(patch).length) await ctx.em.update(UserEntity, { id: userId }, patch);
  return ctx.em.findOneOrFail(UserEntity, { where: { id: userId } });
}

/**
 * Anonymises the account rather than deleting the row, so orders and reviews elsewhere keep a
 * valid reference; contact details, credentials and addresses go, sessions end, and
 * `identity.user.deleted` tells other subgraphs to follow.
 */
export async function deleteAccount(ctx: IdentityContext, password: string): Promise<boolean> {
  const { userId } = requireUser(ctx);
  const cred = await ctx.em.findOne(CredentialEntity, { where: { userId, kind: 'PASSWORD' } });
  if (!(await verifyPassword(cred?.secret, password))) throw new BadUserInputError('The password is wrong.', 'password');
  await inTransaction(ctx, async (tx) => {
    await tx.em.update(
      UserEntity,
      { id: userId },
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
    await tx.em.delete(CredentialEntity, { userId });
    await tx.em.delete(AddressEntity, { userId });
    await revokeAllSessions(tx, userId, 'ACCOUNT_DELETED');
    await emitEvent(tx, 'identity.user.deleted', 1, { userId });
  });
  return true;
}
