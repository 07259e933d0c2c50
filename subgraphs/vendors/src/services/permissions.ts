import { ForbiddenError, hasRole, requireUser, type StorePermission } from '@fashionistar/shared';
import type { VendorsContext } from '../context';
import type { MemberRole } from '../entities/vendor-member.entity';
import { memberRole, primaryMembership } from './access.service';

/**
 * The member matrix: every store permission and the member roles that hold it. This table is the
 * only place the matrix is written down. Vendors enforces it in its services; other subgraphs read
 * the caller's permissions from `storeAccess.permissions` (the names below, as the SDL enum
 * `StorePermission`), so a change here reaches them without a deploy of theirs. A test checks
 * that the SDL enum and this table name the same permissions.
 *
 * STAFF runs the shop floor (products, stock, orders, analytics, chat, replies); everything that
 * changes who the store is, who works in it, or where its money goes is the OWNER's alone.
 */
export const STORE_PERMISSIONS = {
  // STAFF and OWNER
  MANAGE_PRODUCTS: ['OWNER', 'STAFF'],
  MANAGE_STOCK: ['OWNER', 'STAFF'],
  MANAGE_ORDERS: ['OWNER', 'STAFF'],
  VIEW_SALES_ANALYTICS: ['OWNER', 'STAFF'],
  CHAT_AND_OFFERS: ['OWNER', 'STAFF'],
  REPLY_TO_REVIEWS: ['OWNER', 'STAFF'],
  // OWNER only
  EDIT_STORE_IDENTITY: ['OWNER'],
  EDIT_CONTACT_AND_ADDRESS: ['OWNER'],
  MANAGE_KYC: ['OWNER'],
  MANAGE_MEMBERS: ['OWNER'],
  MANAGE_SHIPPING: ['OWNER'],
  MANAGE_COUPONS: ['OWNER'],
  MANAGE_WALLET: ['OWNER'],
  MANAGE_BANK_ACCOUNTS: ['OWNER'],
  MANAGE_PIN: ['OWNER'],
  MANAGE_WITHDRAWALS: ['OWNER'],
  VIEW_AUDIT_LOG: ['OWNER'],
} as const satisfies Record<StorePermission, readonly MemberRole[]>;

/** A permission name, e.g. `MANAGE_PRODUCTS` (named in the contracts, so other subgraphs can check it). */
export type { StorePermission };

export const ALL_STORE_PERMISSIONS = Object.keys(STORE_PERMISSIONS) as StorePermission[];

/** True when a member of `role` holds `permission`; false for non-members (null). */
export function roleMay(role: MemberRole | null | undefined, permission: StorePermission): boolean {
  return !!role && (STORE_PERMISSIONS[permission] as readonly MemberRole[]).includes(role);
}

/** Every permission `role` holds, in table order; none for non-members. */
export function permissionsOf(role: MemberRole | null | undefined): StorePermission[] {
  return ALL_STORE_PERMISSIONS.filter((p) => roleMay(role, p));
}

/** True when the caller holds `permission` in the store, or is an admin (admins pass every read). */
export async function may(ctx: VendorsContext, vendorId: string, permission: StorePermission): Promise<boolean> {
  if (hasRole(ctx, 'ADMIN')) return true;
  return roleMay(await memberRole(ctx, vendorId), permission);
}

/**
 * The caller's store (the one they own, else the one they joined first) when their role there
 * holds every permission of `needed`. UNAUTHENTICATED when anonymous, FORBIDDEN when they belong
 * to no store or their role lacks one of them (naming it, so a STAFF member knows to ask the owner).
 */
export async function requireStorePermission(
  ctx: VendorsContext,
  ...needed: StorePermission[]
): Promise<{ vendorId: string; role: MemberRole }> {
  requireUser(ctx);
  const m = await primaryMembership(ctx);
  if (!m) throw new ForbiddenError('You do not belong to a store.');
  const missing = needed.find((p) => !roleMay(m.role, p));
  if (missing) throw new ForbiddenError(`Only the store's owner may do this (${missing}).`);
  return { vendorId: m.vendorId, role: m.role };
}
