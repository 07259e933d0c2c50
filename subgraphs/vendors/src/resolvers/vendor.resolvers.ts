import { pageSize } from '@fashionistar/shared';
import type { Resolvers, VendorAuditAction } from '../__generated__/resolvers-types';
import { auditByVendor, kycByVendor, membersByVendor, vendorById } from '../loaders/vendor.loaders';
import { isMember } from '../services/access.service';
import { auditActionOf } from '../services/audit.service';
import { memberContact } from '../services/members.service';
import { may } from '../services/permissions';
import { adminListVendors, listVendors } from '../services/directory.service';
import { applyAsVendor, myStore, updateMyStore, vendorBySlug } from '../services/vendor.service';

/** A person as a federation reference: identity resolves the rest. */
const userRef = (id: string) => ({ __typename: 'User' as const, id });

export const vendorResolvers: Resolvers = {
  Query: {
    myStore: (_p, _a, ctx) => myStore(ctx),
    vendor: (_p, { slug }, ctx) => vendorBySlug(ctx, slug),
    vendors: (_p, args, ctx) => listVendors(ctx, args),
    adminVendors: (_p, args, ctx) => adminListVendors(ctx, args),
  },
  Mutation: {
    applyAsVendor: (_p, { input }, ctx) => applyAsVendor(ctx, input),
    updateMyStore: (_p, { input }, ctx) => updateMyStore(ctx, input),
  },
  Vendor: {
    // Other subgraphs hold references to stores in any status (an order outlives a suspension),
    // so a reference resolves whatever the status; private fields stay guarded below.
    __resolveReference: (ref, ctx) => vendorById(ctx).load(ref.id),
    commissionRate: async (v, _a, ctx) => ((await isMember(ctx, v.id)) ? v.commissionRate : null),
    members: async (v, _a, ctx) => ((await isMember(ctx, v.id)) ? membersByVendor(ctx).load(v.id) : []),
    // OWNER-only reads (the member matrix): STAFF get the same empty answer as outsiders.
    kycSubmissions: async (v, _a, ctx) => ((await may(ctx, v.id, 'MANAGE_KYC')) ? kycByVendor(ctx).load(v.id) : []),
    auditLog: async (v, { first }, ctx) => {
      const limit = pageSize(first, 100, 20);
      return (await may(ctx, v.id, 'VIEW_AUDIT_LOG')) ? auditByVendor(ctx, limit).load(v.id) : [];
    },
  },
  VendorMember: {
    user: (m) => userRef(m.userId),
    email: async (m, _a, ctx) => (await memberContact(ctx, m))?.email ?? null,
    phone: async (m, _a, ctx) => (await memberContact(ctx, m))?.phone ?? null,
  },
  VendorAuditEntry: {
    actor: (e) => (e.actorId ? userRef(e.actorId) : null),
    action: (e) => auditActionOf(e.action) as VendorAuditAction,
    // Values are JSON already (jsonb); a missing one is GraphQL null.
    changes: (e) => Object.entries(e.changes).map(([field, c]) => ({ field, from: c.from ?? null, to: c.to ?? null })),
  },
};
