import { DateTimeScalar, mergeResolvers } from '@fashionistar/shared';
import type { Resolvers } from '../__generated__/resolvers-types';
import { addressResolvers } from './address.resolvers';
import { authResolvers } from './auth.resolvers';
import { lookupResolvers } from './lookup.resolvers';
import { messageResolvers } from './message.resolvers';
import { rolesResolvers } from './roles.resolvers';
import { sessionResolvers } from './session.resolvers';
import { userResolvers } from './user.resolvers';

/** All identity resolvers, merged per type. */
export const resolvers = mergeResolvers<Resolvers>(
  [userResolvers, authResolvers, sessionResolvers, addressResolvers, messageResolvers, lookupResolvers, rolesResolvers],
  {
    DateTime: DateTimeScalar,
  },
);
