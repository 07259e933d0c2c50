import type { Resolvers } from '../__generated__/resolvers-types';
import { reviewPage } from '../loaders/review.loaders';
import { requireInboxAccess } from '../services/peers.service';

export const vendorResolvers: Resolvers = {
  Vendor: {
    // Vendors owns stores; the id is all the inbox needs (an unknown store is FORBIDDEN below).
    __resolveReference: (ref) => ({ id: ref.id }),
    reviews: async (v, args, ctx) => {
      await requireInboxAccess(ctx, v.id);
      return reviewPage(ctx, 'vendor', args).load(v.id);
    },
  },
};
