import type { Role } from '../identity';
import { defineEvent, defineInternalQuery } from './event';
import { messageQueued } from './messaging';

/** Events, keys and internal queries owned by the identity subgraph. */

/** A new account (sign-up or admin CLI). */
export const UserRegistered = defineEvent<{ userId: string; roles: Role[] }>()('identity.user.registered', 1);

/**
 * An account was deleted and its personal data erased in identity. Every subgraph that stores
 * personal data consumes it (erase, or pseudonymise what accounting must keep).
 */
export const UserDeleted = defineEvent<{ userId: string }>()('identity.user.deleted', 1);

/** Sessions ended (logout, revocation, password change, deletion); fills the revoked-session list. */
export const SessionRevoked = defineEvent<{ sessionIds: string[]; reason: string }>()('identity.session.revoked', 1);

/** Identity's outbound e-mail and SMS (see the message outbox). */
export const IdentityMessageQueued = messageQueued('identity');

/**
 * Key of the revoked-session list: identity writes it, the router reads it on every request.
 * The value is the revocation reason; its TTL is the longest an access token can still live.
 */
export const revokedSessionKey = (sessionId: string): string => `revoked-session:${sessionId}`;

/**
 * Accounts whose verified e-mail is one of `emails` (at most 20), for signed-in callers only:
 * vendors finds the people a store owner invites, without telling the owner who has an account.
 */
export const UserIdsByEmailQuery = defineInternalQuery<{ emails: string[] }, { userIdsByEmail: Array<{ email: string; userId: string }> }>(
  'identity',
  'query UserIdsByEmail($emails: [String!]!) { userIdsByEmail(emails: $emails) { email userId } }',
);
