import type { Resolvers } from '../__generated__/resolvers-types';
import { listLoginEvents } from '../services/login-event.service';
import { listMySessions, revokeAllSessions, revokeMySession } from '../services/session.service';
import { requireUser } from '@fashionistar/shared';

export const sessionResolvers: Resolvers = {
  Query: {
    mySessions: (_p, _a, ctx) => listMySessions(ctx),
    myLoginEvents: (_p, { first }, ctx) => listLoginEvents(ctx, first),
  },
  Mutation: {
    revokeSession: (_p, { id }, ctx) => revokeMySession(ctx, id),
    revokeOtherSessions: (_p, _a, ctx) => {
      const identity = requireUser(ctx);
      return revokeAllSessions(ctx, identity.userId, 'USER_REVOKED_OTHERS', identity.sessionId);
    },
  },
  Session: {
    current: (s, _a, ctx) => s.id === ctx.identity?.sessionId,
  },
  LoginEvent: {
    at: (e) => e.createdAt,
  },
};
