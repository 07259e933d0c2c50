import { randomUUID } from 'node:crypto';
import {
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  inTransaction,
  isUuid,
  normalizeEmail,
  requireUser,
  uniqueViolation,
} from '@fashionistar/shared';
import type { VendorsContext } from '../context';
import { StoreInvitationEntity } from '../entities/store-invitation.entity';
import { VendorMemberEntity, type MemberRole } from '../entities/vendor-member.entity';
import { VendorEntity } from '../entities/vendor.entity';
import { writeAudit } from './audit.service';
import { isMember } from './access.service';
import { contactsByUser, userIdByEmail } from './identity.peer';
import { requireStorePermission } from './permissions';
import { refuseClosed } from './vendor.service';

/** An invitation can be accepted for this long after it was (last) sent. */
export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;
/** Most members one store may have: keeps `Vendor.members` and `storeMembers` small lists. */
export const MAX_MEMBERS = 50;
/**
 * Most invitations one store may send per INVITATION_TTL_MS (so at most this many are pending),
 * and most invitations a user's list shows. Every invite counts, whether or not the address has
 * an account: a limit on pending rows alone would tell an owner near it who has one.
 */
export const MAX_PENDING_INVITATIONS = 50;
/** Most stores one `storeMembers` call may ask about. */
export const MAX_STORE_MEMBERS_BATCH = 100;

/**
 * Runs a member change of one store with the store row locked, so concurrent changes of the same
 * store serialize and the "last OWNER" and member-cap counts read here stay true until commit.
 * The unique constraints catch what locking cannot (one store owned per user), as CONFLICT.
 */
async function withLockedStore<T>(
  ctx: VendorsContext,
  vendorId: string,
  fn: (tx: VendorsContext) => Promise<T>,
  o: { closedOk?: boolean } = {},
): Promise<T> {
  try {
    return await inTransaction(ctx, async (tx) => {
      const store = await tx.em.findOne(VendorEntity, {
        select: { id: true, status: true },
        where: { id: vendorId },
        lock: { mode: 'pessimistic_write' },
      });
      // A CLOSED store (its only owner deleted the account) changes no member but a leaver: nobody may inherit it.
      if (store && !o.closedOk) refuseClosed(store);
      return await fn(tx);
    });
  } catch (error) {
    const constraint = uniqueViolation(error);
    if (constraint === 'vendor_member_one_owner')
      throw new ConflictError('That user already owns a store; a user owns at most one.', 'role');
    if (constraint === 'vendor_member_pkey') throw new ConflictError('That user is already a member of this store.');
    throw error;
  }
}

async function membersOf(tx: VendorsContext, vendorId: string): Promise<VendorMemberEntity[]> {
  return tx.em.find(VendorMemberEntity, { where: { vendorId } });
}

/** CONFLICT when `userId` is the store's only OWNER (a store is never left without one). */
function refuseLastOwner(members: VendorMemberEntity[], userId: string, what: string): void {
  const owners = members.filter((m) => m.role === 'OWNER');
  if (owners.length === 1 && owners[0]!.userId === userId) {
    throw new ConflictError(`The last OWNER cannot ${what}: make another member OWNER first.`);
  }
}

const roleChange = (userId: string, from: MemberRole | null, to: MemberRole | null) => ({ [`members.${userId}.role`]: { from, to } });

/** RATE_LIMITED once the store has sent MAX_PENDING_INVITATIONS invites within INVITATION_TTL_MS. */
async function limitInvites(ctx: VendorsContext, vendorId: string): Promise<void> {
  const [row]: Array<{ n: number; oldest: Date | null }> = await ctx.em.query(
    `SELECT count(*)::int AS n, min(created_at) AS oldest FROM (
       SELECT created_at FROM vendor_audit
        WHERE vendor_id = $1 AND action = 'member.invited' AND created_at > now() - make_interval(secs => $2)
        ORDER BY created_at DESC LIMIT $3) recent`,
    [vendorId, INVITATION_TTL_MS / 1000, MAX_PENDING_INVITATIONS],
  );
  if (row!.n < MAX_PENDING_INVITATIONS) return;
  const retryAfter = Math.max(1, Math.ceil((new Date(row!.oldest!).getTime() + INVITATION_TTL_MS - Date.now()) / 1000));
  throw new RateLimitedError(retryAfter, `A store can send at most ${MAX_PENDING_INVITATIONS} invitations a week.`);
}

/**
 * Invites the account with `email` into the caller's store. Identity alone knows e-mails, so it
 * is asked (as the caller); the answer is `true` whatever it says, and the audit entry names
 * neither the address nor the user, so neither the answer nor the log tells the inviter whether
 * the address has an account. A repeat renews the pending invitation (the unique constraint makes
 * it one row). The invitation limit counts every invite, and is checked before identity is asked
 * (fast refusal) and again under the store lock (so concurrent invites cannot pass it together).
 */
export async function inviteStoreMember(ctx: VendorsContext, rawEmail: string, role: MemberRole): Promise<boolean> {
  const { vendorId } = await requireStorePermission(ctx, 'MANAGE_MEMBERS');
  const email = normalizeEmail(rawEmail, 'email');
  await limitInvites(ctx, vendorId);
  const userId = await userIdByEmail(ctx, email);
  await withLockedStore(ctx, vendorId, async (tx) => {
    await limitInvites(tx, vendorId);
    await writeAudit(tx, vendorId, 'member.invited', { invitation: { from: null, to: role } });
    if (!userId) return;
    const member = await tx.em.findOne(VendorMemberEntity, { where: { vendorId, userId } });
    if (member) return;
    await tx.em.query(
      `INSERT INTO store_invitation (id, vendor_id, user_id, role, invited_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT ON CONSTRAINT store_invitation_vendor_user_key
       DO UPDATE SET role = EXCLUDED.role, invited_by = EXCLUDED.invited_by, expires_at = EXCLUDED.expires_at, created_at = now()`,
      [randomUUID(), vendorId, userId, role, ctx.identity!.userId, new Date(Date.now() + INVITATION_TTL_MS)],
    );
  });
  return true;
}

/** The caller's pending, unexpired invitations, newest first, at most MAX_PENDING_INVITATIONS. */
export async function myStoreInvitations(ctx: VendorsContext): Promise<StoreInvitationEntity[]> {
  const { userId } = requireUser(ctx);
  return ctx.em
    .createQueryBuilder(StoreInvitationEntity, 'i')
    .where('i.userId = :userId AND i.expiresAt > now()', { userId })
    .orderBy('i.createdAt', 'DESC')
    .addOrderBy('i.id', 'DESC')
    .limit(MAX_PENDING_INVITATIONS)
    .getMany();
}

/** The caller's unexpired invitation `id`, or NOT_FOUND (someone else's looks the same as none). */
async function ownInvitation(ctx: VendorsContext, id: string): Promise<StoreInvitationEntity> {
  const { userId } = requireUser(ctx);
  const inv = isUuid(id) ? await ctx.em.findOne(StoreInvitationEntity, { where: { id, userId } }) : null;
  if (!inv || inv.expiresAt.getTime() <= Date.now()) throw new NotFoundError('Store invitation', id);
  return inv;
}

/** Joins the invitation's store in its role; the invitation is used up in the same transaction. */
export async function acceptStoreInvitation(ctx: VendorsContext, id: string): Promise<VendorEntity> {
  const inv = await ownInvitation(ctx, id);
  return withLockedStore(ctx, inv.vendorId, async (tx) => {
    // Deleted only while unexpired and still there: a concurrent accept or decline gets NOT_FOUND.
    const [, gone] = await tx.em.query(`DELETE FROM store_invitation WHERE id = $1 AND expires_at > now()`, [id]);
    if (!gone) throw new NotFoundError('Store invitation', id);
    const members = await membersOf(tx, inv.vendorId);
    if (members.some((m) => m.userId === inv.userId)) throw new ConflictError('You are already a member of this store.');
    if (members.length >= MAX_MEMBERS) throw new ConflictError(`A store can have at most ${MAX_MEMBERS} members.`);
    await tx.em.insert(VendorMemberEntity, { vendorId: inv.vendorId, userId: inv.userId, role: inv.role });
    await writeAudit(tx, inv.vendorId, 'member.joined', roleChange(inv.userId, null, inv.role));
    return tx.em.findOneOrFail(VendorEntity, { where: { id: inv.vendorId } });
  });
}

/** Turns an invitation down: it is removed, and the store's log does not hear of it. */
export async function declineStoreInvitation(ctx: VendorsContext, id: string): Promise<boolean> {
  const inv = await ownInvitation(ctx, id);
  await ctx.em.query(`DELETE FROM store_invitation WHERE id = $1`, [inv.id]);
  return true;
}

/** Removes a member from the caller's store (the OWNER's MANAGE_MEMBERS); never its last OWNER. */
export async function removeStoreMember(ctx: VendorsContext, userId: string): Promise<VendorEntity> {
  const { vendorId } = await requireStorePermission(ctx, 'MANAGE_MEMBERS');
  return withLockedStore(ctx, vendorId, async (tx) => {
    const members = await membersOf(tx, vendorId);
    const target = members.find((m) => m.userId === userId.toLowerCase());
    if (!target) throw new NotFoundError('Store member', userId);
    refuseLastOwner(members, target.userId, 'be removed');
    await tx.em.delete(VendorMemberEntity, { vendorId, userId: target.userId });
    await writeAudit(tx, vendorId, 'member.removed', roleChange(target.userId, target.role, null));
    return tx.em.findOneOrFail(VendorEntity, { where: { id: vendorId } });
  });
}

/** Changes a member's role in the caller's store; demoting the last OWNER is refused. */
export async function changeStoreMemberRole(ctx: VendorsContext, userId: string, role: MemberRole): Promise<VendorEntity> {
  const { vendorId } = await requireStorePermission(ctx, 'MANAGE_MEMBERS');
  return withLockedStore(ctx, vendorId, async (tx) => {
    const members = await membersOf(tx, vendorId);
    const target = members.find((m) => m.userId === userId.toLowerCase());
    if (!target) throw new NotFoundError('Store member', userId);
    if (target.role !== role) {
      if (role !== 'OWNER') refuseLastOwner(members, target.userId, 'be demoted');
      await tx.em.update(VendorMemberEntity, { vendorId, userId: target.userId }, { role });
      await writeAudit(tx, vendorId, 'member.role-changed', roleChange(target.userId, target.role, role));
    }
    return tx.em.findOneOrFail(VendorEntity, { where: { id: vendorId } });
  });
}

/** The caller leaves a store they belong to; its last OWNER cannot. */
export async function leaveStore(ctx: VendorsContext, vendorId: string): Promise<boolean> {
  const { userId } = requireUser(ctx);
  if (!isUuid(vendorId)) throw new ForbiddenError('You are not a member of this store.');
  const id = vendorId.toLowerCase();
  return withLockedStore(
    ctx,
    id,
    async (tx) => {
      const members = await membersOf(tx, id);
      const mine = members.find((m) => m.userId === userId);
      if (!mine) throw new ForbiddenError('You are not a member of this store.');
      refuseLastOwner(members, userId, 'leave the store');
      await tx.em.delete(VendorMemberEntity, { vendorId: id, userId });
      await writeAudit(tx, id, 'member.left', roleChange(userId, mine.role, null));
      return true;
    },
    { closedOk: true },
  );
}

/** One store's members, as the internal `storeMembers` answers them. */
export interface StoreMembers {
  vendorId: string;
  members: VendorMemberEntity[];
}

/**
 * The members of each existing store of `vendorIds`, in input order and once each (unknown ids
 * skipped), in one statement: the LEFT JOIN also tells an existing store from an unknown id.
 */
export async function storeMembers(ctx: VendorsContext, vendorIds: readonly string[]): Promise<StoreMembers[]> {
  if (vendorIds.length > MAX_STORE_MEMBERS_BATCH)
    throw new BadUserInputError(`Ask about at most ${MAX_STORE_MEMBERS_BATCH} stores at a time.`, 'vendorIds');
  const ids = [...new Set(vendorIds.filter(isUuid).map((id) => id.toLowerCase()))];
  if (!ids.length) return [];
  const rows: Array<{ vendor_id: string; user_id: string | null; role: MemberRole | null; created_at: Date | null }> = await ctx.em.query(
    `SELECT v.id AS vendor_id, m.user_id, m.role, m.created_at
       FROM vendor v LEFT JOIN vendor_member m ON m.vendor_id = v.id
      WHERE v.id = ANY($1::uuid[])
      ORDER BY v.id, m.role, m.created_at, m.user_id`,
    [ids],
  );
  const byStore = new Map<string, VendorMemberEntity[]>();
  for (const r of rows) {
    const list = byStore.get(r.vendor_id) ?? [];
    byStore.set(r.vendor_id, list);
    if (r.user_id) list.push({ vendorId: r.vendor_id, userId: r.user_id, role: r.role!, createdAt: r.created_at! });
  }
  return ids.filter((id) => byStore.has(id)).map((id) => ({ vendorId: id, members: byStore.get(id)! }));
}

/**
 * A member's contact details (the account's e-mail and phone, from identity), for the store's
 * members and admins only: null for anyone else, who never causes a call to identity. Batched per
 * request (`contactsByUser`), so a list of members costs one call.
 */
export async function memberContact(
  ctx: VendorsContext,
  member: Pick<VendorMemberEntity, 'vendorId' | 'userId'>,
): Promise<{ email: string | null; phone: string | null } | null> {
  if (!ctx.identity || !(await isMember(ctx, member.vendorId))) return null;
  return contactsByUser(ctx).load(member.userId);
}
