import { DateTimeScalar, mergeResolvers } from '@fashionistar/shared';
import type { Resolvers } from '../__generated__/resolvers-types';
import { productResolvers } from './product.resolvers';
import { reviewResolvers } from './review.resolvers';
import { userResolvers } from './user.resolvers';
import { vendorResolvers } from './vendor.resolvers';

/** All reviews resolvers, merged per type. */
export const resolvers = mergeResolvers<Resolvers>([reviewResolvers, productResolvers, userResolvers, vendorResolvers], {
  DateTime: DateTimeScalar,
});
