import type { Resolvers } from '../__generated__/resolvers-types';
import { listLoginEvents, loginEventReasonOf } from '../services/login-event.service';
import { listMySessions, revocationReasonOf, revokeMyOtherSessions, revokeMySession, watchMySession } from '../services/session.service';
import { userById } from '../loaders/user.loaders';

export const sessionResolvers: Resolvers = {
  Query: {
    mySessions: (_p, _a, ctx) => listMySessions(ctx),
    myLoginEvents: (_p, { first }, ctx) => listLoginEvents(ctx, first),
  },
  Mutation: {
    revokeSession: (_p, { id }, ctx) => revokeMySession(ctx, id),
    revokeOtherSessions: (_p, _a, ctx) => revokeMyOtherSessions(ctx),
  },
  Subscription: {
    sessionRevoked: {
      subscribe: (_p, _a, ctx) => watchMySession(ctx),
    },
  },
  SessionRevocation: {
    reason: (r) => revocationReasonOf(r.reason),
    user: async (r, _a, ctx) => {
      const user = await userById(ctx).load(r.userId);
      if (!user) throw new Error(`user ${r.userId} of a revoked session is missing`);
      return user;
    },
  },
  Session: {
    current: (s, _a, ctx) => s.id === ctx.identity?.sessionId,
  },
  LoginEvent: {
    reason: (e) => loginEventReasonOf(e.reason),
    at: (e) => e.createdAt,
  },
};
