import type { Resolvers } from '../__generated__/resolvers-types';
import { reviewPage } from '../loaders/review.loaders';

export const userResolvers: Resolvers = {
  User: {
    // Identity owns users; the id is all a review list needs.
    __resolveReference: (ref) => ({ id: ref.id }),
    reviews: (u, args, ctx) => reviewPage(ctx, 'author', args).load(u.id),
  },
};
