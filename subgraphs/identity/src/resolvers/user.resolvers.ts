import type { Resolvers } from '../__generated__/resolvers-types';
import { addressesByUser, userById } from '../loaders/user.loaders';
import { canSeePrivate, deleteAccount, me, updateProfile } from '../services/user.service';

export const userResolvers: Resolvers = {
  Query: {
    me: (_p, _a, ctx) => me(ctx),
  },
  Mutation: {
    updateProfile: (_p, { input }, ctx) => updateProfile(ctx, input),
    deleteAccount: (_p, { password }, ctx) => deleteAccount(ctx, password),
  },
  User: {
    __resolveReference: async (ref, ctx) => userById(ctx).load(ref.id),
    email: (u, _a, ctx) => (canSeePrivate(ctx, u) ? u.email : null),
    phone: (u, _a, ctx) => (canSeePrivate(ctx, u) ? u.phone : null),
    emailVerified: (u) => u.emailVerifiedAt !== null,
    phoneVerified: (u) => u.phoneVerifiedAt !== null,
    addresses: (u, _a, ctx) => (canSeePrivate(ctx, u) ? addressesByUser(ctx).load(u.id) : []),
  },
};
