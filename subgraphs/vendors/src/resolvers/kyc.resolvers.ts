import type { Resolvers } from '../__generated__/resolvers-types';
import { vendorById } from '../loaders/vendor.loaders';
import { reviewKyc, submitKyc } from '../services/kyc.service';

export const kycResolvers: Resolvers = {
  Mutation: {
    submitKyc: (_p, { input }, ctx) => submitKyc(ctx, input),
    reviewKyc: (_p, { id, status, note }, ctx) => reviewKyc(ctx, id, status, note),
  },
  KycSubmission: {
    vendor: async (k, _a, ctx) => {
      const vendor = await vendorById(ctx).load(k.vendorId);
      // The foreign key makes this impossible; say so loudly rather than answer a broken graph.
      if (!vendor) throw new Error(`vendor ${k.vendorId} of KYC submission ${k.id} is missing`);
      return vendor;
    },
    submittedBy: (k) => ({ __typename: 'User', id: k.submittedBy }),
    reviewer: (k) => (k.reviewerId ? { __typename: 'User', id: k.reviewerId } : null),
  },
};
