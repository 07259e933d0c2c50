import { ForbiddenError, listMessages, pageSize, requireRole } from '@fashionistar/shared';
import type { Resolvers } from '../__generated__/resolvers-types';

export const messageResolvers: Resolvers = {
  Query: {
    sentMessages: async (_p, { to, first }, ctx) => {
      requireRole(ctx, 'ADMIN');
      // The outbox holds one-time codes and links: never readable through the API in production.
      if (ctx.deps.config.NODE_ENV === 'production') throw new ForbiddenError('The message outbox is not served in production.');
      return listMessages(ctx.em, to, pageSize(first, 100, 20));
    },
  },
  SentMessage: {
    to: (m) => m.recipient,
  },
};
