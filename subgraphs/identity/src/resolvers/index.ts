import type { Resolvers } from '../__generated__/resolvers-types';
import { addressResolvers } from './address.resolvers';
import { authResolvers } from './auth.resolvers';
import { messageResolvers } from './message.resolvers';
import { DateTime } from './scalars.resolvers';
import { sessionResolvers } from './session.resolvers';
import { userResolvers } from './user.resolvers';

const parts: Resolvers[] = [userResolvers, authResolvers, sessionResolvers, addressResolvers, messageResolvers];

/** All identity resolvers, merged per type. */
export const resolvers: Resolvers = parts.reduce<Resolvers>(
  (acc, part) => {
    for (const [type, fields] of Object.entries(part)) {
      (acc as Record<string, object>)[type] = { ...((acc as Record<string, object>)[type] ?? {}), ...fields };
    }
    return acc;
  },
  { DateTime },
);
