import { DateTimeScalar, DecimalScalar, JSONScalar, mergeResolvers } from '@fashionistar/shared';
import type { Resolvers } from '../__generated__/resolvers-types';
import { accessResolvers } from './access.resolvers';
import { adminResolvers } from './admin.resolvers';
import { kycResolvers } from './kyc.resolvers';
import { membersResolvers } from './members.resolvers';
import { vendorResolvers } from './vendor.resolvers';

/** All vendors resolvers, merged per type. */
export const resolvers = mergeResolvers<Resolvers>([vendorResolvers, adminResolvers, kycResolvers, accessResolvers, membersResolvers], {
  DateTime: DateTimeScalar,
  Decimal: DecimalScalar,
  JSON: JSONScalar,
});
