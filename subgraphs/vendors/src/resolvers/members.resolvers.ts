import type { Resolvers } from '../__generated__/resolvers-types';
import { vendorById } from '../loaders/vendor.loaders';
import {
  acceptStoreInvitation,
  changeStoreMemberRole,
  declineStoreInvitation,
  inviteStoreMember,
  leaveStore,
  myStoreInvitations,
  removeStoreMember,
} from '../services/members.service';

export const membersResolvers: Resolvers = {
  Query: {
    myStoreInvitations: (_p, _a, ctx) => myStoreInvitations(ctx),
  },
  Mutation: {
    inviteStoreMember: (_p, { email, role }, ctx) => inviteStoreMember(ctx, email, role ?? 'STAFF'),
    acceptStoreInvitation: (_p, { id }, ctx) => acceptStoreInvitation(ctx, id),
    declineStoreInvitation: (_p, { id }, ctx) => declineStoreInvitation(ctx, id),
    removeStoreMember: (_p, { userId }, ctx) => removeStoreMember(ctx, userId),
    changeStoreMemberRole: (_p, { userId, role }, ctx) => changeStoreMemberRole(ctx, userId, role),
    leaveStore: (_p, { vendorId }, ctx) => leaveStore(ctx, vendorId),
  },
  StoreInvitation: {
    vendor: async (i, _a, ctx) => {
      const vendor = await vendorById(ctx).load(i.vendorId);
      // The foreign key (ON DELETE CASCADE) makes this impossible; say so loudly.
      if (!vendor) throw new Error(`vendor ${i.vendorId} of invitation ${i.id} is missing`);
      return vendor;
    },
    inviter: (i) => ({ __typename: 'User', id: i.invitedBy }),
  },
};
