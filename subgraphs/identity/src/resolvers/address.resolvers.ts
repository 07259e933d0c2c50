import { NIGERIAN_STATES } from '@fashionistar/shared';
import type { Resolvers } from '../__generated__/resolvers-types';
import { addAddress, removeAddress, updateAddress } from '../services/address.service';

export const addressResolvers: Resolvers = {
  Query: {
    nigerianStates: () => [...NIGERIAN_STATES],
  },
  Mutation: {
    addAddress: (_p, { input }, ctx) => addAddress(ctx, input),
    updateAddress: (_p, { id, input }, ctx) => updateAddress(ctx, id, input),
    removeAddress: (_p, { id }, ctx) => removeAddress(ctx, id),
  },
};
