import type { Resolvers } from '../__generated__/resolvers-types';
import { ratingByProduct, reviewPage } from '../loaders/review.loaders';
import { averageOf, distributionOf } from '../services/rating.service';

export const productResolvers: Resolvers = {
  Product: {
    // The catalog owns products; a reference is all this subgraph needs (an unknown id simply
    // has no reviews), so resolving it costs no query.
    __resolveReference: (ref) => ({ id: ref.id }),
    reviews: (p, args, ctx) => reviewPage(ctx, 'product', args).load(p.id),
    rating: (p, _a, ctx) => ratingByProduct(ctx).load(p.id),
  },
  ProductRating: {
    average: (r) => averageOf(r),
    count: (r) => r.count,
    distribution: (r) => distributionOf(r),
  },
};
