import type { Resolvers } from '../__generated__/resolvers-types';
import { myStoreAccess, storeAccess } from '../services/access.service';
import { storeMembers } from '../services/members.service';

/** The internal API other subgraphs call directly (`@inaccessible`: not served by the router). */
export const accessResolvers: Resolvers = {
  Query: {
    storeAccess: (_p, { vendorIds }, ctx) => storeAccess(ctx, vendorIds),
    myStoreAccess: (_p, _a, ctx) => myStoreAccess(ctx),
    storeMembers: (_p, { vendorIds }, ctx) => storeMembers(ctx, vendorIds),
  },
};
