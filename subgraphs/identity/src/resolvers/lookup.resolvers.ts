import type { Resolvers } from '../__generated__/resolvers-types';
import { userContacts, userIdsByEmail } from '../services/lookup.service';

/** The internal API other subgraphs call directly (`@inaccessible`: not served by the router). */
export const lookupResolvers: Resolvers = {
  Query: {
    userIdsByEmail: (_p, { emails }, ctx) => userIdsByEmail(ctx, emails),
    userContacts: (_p, { ids }, ctx) => userContacts(ctx, ids),
  },
};
