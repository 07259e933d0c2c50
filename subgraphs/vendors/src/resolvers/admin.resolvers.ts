import type { Resolvers } from '../__generated__/resolvers-types';
import { approveVendor, setCommissionRate, suspendVendor } from '../services/admin.service';

export const adminResolvers: Resolvers = {
  Mutation: {
    approveVendor: (_p, { id }, ctx) => approveVendor(ctx, id),
    suspendVendor: (_p, { id, reason }, ctx) => suspendVendor(ctx, id, reason),
    setCommissionRate: (_p, { id, rate }, ctx) => setCommissionRate(ctx, id, rate),
  },
};
