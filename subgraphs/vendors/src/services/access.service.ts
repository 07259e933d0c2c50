import { hasRole, isUuid, type StoreAccess } from '@fashionistar/shared';
import { In } from 'typeorm';
import type { VendorsContext } from '../context';
import type { MemberRole, VendorMemberEntity } from '../entities/vendor-member.entity';
import { VendorEntity } from '../entities/vendor.entity';
import { membershipsByUser, vendorById } from '../loaders/vendor.loaders';
import { permissionsOf } from './permissions';

/**
 * Who belongs to a store. Every rule asks through membership (never "is this the owner's user
 * id"); what a member may do is the member matrix in `permissions.ts`, checked by the services.
 */

/** What the internal `storeAccess` API answers for one store (the contract other subgraphs import). */
export type { StoreAccess };

/** The caller's role in the store, or null (anonymous callers and non-members). */
export async function memberRole(ctx: VendorsContext, vendorId: string): Promise<MemberRole | null> {
  if (!ctx.identity) return null;
  const mine = await membershipsByUser(ctx).load(ctx.identity.userId);
  return mine.find((m) => m.vendorId === vendorId)?.role ?? null;
}

/** True when the caller is a member of the store or an admin. */
export async function isMember(ctx: VendorsContext, vendorId: string): Promise<boolean> {
  if (hasRole(ctx, 'ADMIN')) return true;
  return (await memberRole(ctx, vendorId)) !== null;
}

/**
 * The store the signed-in caller acts for: the one they own, else the one they joined first.
 * Null when they belong to none (or are anonymous).
 */
export async function primaryMembership(ctx: VendorsContext): Promise<VendorMemberEntity | null> {
  if (!ctx.identity) return null;
  const mine = await membershipsByUser(ctx).load(ctx.identity.userId);
  return mine[0] ?? null;
}

/**
 * Access to each existing store of `vendorIds`, in input order and once each; unknown and
 * non-uuid ids are skipped. Read from the tables on every call (no cache across requests), so
 * other subgraphs see an approval the moment `approveVendor` returns.
 */
export async function storeAccess(ctx: VendorsContext, vendorIds: readonly string[]): Promise<StoreAccess[]> {
  const ids = [...new Set(vendorIds.filter(isUuid).map((id) => id.toLowerCase()))];
  if (!ids.length) return [];
  const [vendors, mine] = await Promise.all([
    ctx.em.find(VendorEntity, { select: { id: true, status: true }, where: { id: In(ids) } }),
    ctx.identity ? membershipsByUser(ctx).load(ctx.identity.userId) : Promise.resolve([]),
  ]);
  const status = new Map(vendors.map((v) => [v.id, v.status]));
  const role = new Map(mine.map((m) => [m.vendorId, m.role]));
  return ids
    .filter((id) => status.has(id))
    .map((id) => {
      const memberRole = role.get(id) ?? null;
      return { vendorId: id, status: status.get(id)!, memberRole, permissions: permissionsOf(memberRole) };
    });
}

/** Access to the caller's store, or null when anonymous or a member of none. */
export async function myStoreAccess(ctx: VendorsContext): Promise<StoreAccess | null> {
  const m = await primaryMembership(ctx);
  if (!m) return null;
  const vendor = await vendorById(ctx).load(m.vendorId);
  return vendor ? { vendorId: vendor.id, status: vendor.status, memberRole: m.role, permissions: permissionsOf(m.role) } : null;
}
