import type { Resolvers } from '../__generated__/resolvers-types';
import { grantVendorRole } from '../services/roles.service';

/** Internal role changes other subgraphs ask for (`@inaccessible`: not served by the router). */
export const rolesResolvers: Resolvers = {
  Mutation: {
    grantVendorRole: (_p, { userId }, ctx) => grantVendorRole(ctx, userId),
  },
};
