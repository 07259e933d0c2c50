import { defineEvent, defineInternalQuery } from './event';

/** Events, types and internal queries owned by the vendors subgraph. */

/** CLOSED is terminal: the store's only owner deleted the account; no operation reopens it. */
export type VendorStatus = 'PENDING' | 'APPROVED' | 'SUSPENDED' | 'CLOSED';
export type MemberRole = 'OWNER' | 'STAFF';
export type KycDocumentType = 'CAC_CERTIFICATE' | 'NIN' | 'BVN_LETTER' | 'UTILITY_BILL';
export type KycStatus = 'PENDING' | 'IN_REVIEW' | 'APPROVED' | 'REJECTED' | 'RESUBMIT';

/**
 * What a store member may do (the member matrix; which role holds which is vendors'
 * `STORE_PERMISSIONS`). Other subgraphs check these names in `StoreAccess.permissions`.
 */
export type StorePermission =
  | 'MANAGE_PRODUCTS'
  | 'MANAGE_STOCK'
  | 'MANAGE_ORDERS'
  | 'VIEW_SALES_ANALYTICS'
  | 'CHAT_AND_OFFERS'
  | 'REPLY_TO_REVIEWS'
  | 'EDIT_STORE_IDENTITY'
  | 'EDIT_CONTACT_AND_ADDRESS'
  | 'MANAGE_KYC'
  | 'MANAGE_MEMBERS'
  | 'MANAGE_SHIPPING'
  | 'MANAGE_COUPONS'
  | 'MANAGE_WALLET'
  | 'MANAGE_BANK_ACCOUNTS'
  | 'MANAGE_PIN'
  | 'MANAGE_WITHDRAWALS'
  | 'VIEW_AUDIT_LOG';

/**
 * A store's status changed; previousStatus is null for a new store. `version` is the store row's
 * version after the change: it grows with every change under the row lock, so it orders a
 * store's events as they committed (occurredAt, a transaction-start time, does not). A copy fed
 * by these events keeps the highest version it applied and drops the rest.
 */
export const VendorStatusChanged = defineEvent<{
  vendorId: string;
  status: VendorStatus;
  previousStatus: VendorStatus | null;
  version: number;
}>()('vendors.vendor.status-changed', 1);

/** A store's commission rate changed; null rates mean the platform default. `version` as above. */
export const VendorCommissionChanged = defineEvent<{
  vendorId: string;
  rate: string | null;
  previousRate: string | null;
  version: number;
}>()('vendors.vendor.commission-changed', 1);

/** An admin reviewed a KYC document. */
export const KycReviewed = defineEvent<{
  submissionId: string;
  vendorId: string;
  documentType: KycDocumentType;
  status: KycStatus;
  previousStatus: KycStatus;
}>()('vendors.kyc.reviewed', 1);

/** The caller's access to one store, answered from the store's own tables at the moment of asking. */
export interface StoreAccess {
  vendorId: string;
  status: VendorStatus;
  /** The caller's role in the store; null when not a member (admins included). */
  memberRole: MemberRole | null;
  /** What that role may do (the member matrix); empty for non-members and admins. */
  permissions: StorePermission[];
}

const STORE_ACCESS_FIELDS = 'vendorId status memberRole permissions';

/** Access to each existing store of `ids`, in input order; unknown ids are skipped. */
export const StoreAccessQuery = defineInternalQuery<{ ids: string[] }, { storeAccess: StoreAccess[] }>(
  'vendors',
  `query StoreAccess($ids: [ID!]!) { storeAccess(vendorIds: $ids) { ${STORE_ACCESS_FIELDS} } }`,
);

/** The caller's own store (the one they own, else the one they joined first), or null. */
export const MyStoreAccessQuery = defineInternalQuery<Record<string, never>, { myStoreAccess: StoreAccess | null }>(
  'vendors',
  `query MyStoreAccess { myStoreAccess { ${STORE_ACCESS_FIELDS} } }`,
);
