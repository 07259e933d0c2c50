import type { Resolvers } from '../__generated__/resolvers-types';
import { accessResolvers } from './access.resolvers';
import { adminResolvers } from './admin.resolvers';
import { kycResolvers } from './kyc.resolvers';
import { membersResolvers } from './members.resolvers';
import { DateTime, Decimal } from './scalars.resolvers';
import { vendorResolvers } from './vendor.resolvers';

const parts: Resolvers[] = [vendorResolvers, adminResolvers, kycResolvers, accessResolvers, membersResolvers];

/** All vendors resolvers, merged per type. */
export const resolvers: Resolvers = parts.reduce<Resolvers>(
  (acc, part) => {
    for (const [type, fields] of Object.entries(part)) {
      (acc as Record<string, object>)[type] = { ...((acc as Record<string, object>)[type] ?? {}), ...fields };
    }
    return acc;
  },
  { DateTime, Decimal },
);
