import { DateTimeScalar, DecimalScalar, mergeResolvers } from '@fashionistar/shared';
import type { Resolvers } from '../__generated__/resolvers-types';
import { manageResolvers } from './manage.resolvers';
import { productResolvers } from './product.resolvers';
import { storefrontResolvers } from './storefront.resolvers';

/** All catalog resolvers, merged per type. */
export const resolvers = mergeResolvers<Resolvers>([productResolvers, storefrontResolvers, manageResolvers], {
  DateTime: DateTimeScalar,
  Decimal: DecimalScalar,
});
