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

/** A role was added to an account (today: VENDOR, when a customer applies for a store). */
export const UserRoleGranted = defineEvent<{ userId: string; role: Role; roles: Role[] }>()('identity.user.role-granted', 1);

/** How to reach an account (`userContacts`); null where the account has none. */
export interface UserContact {
  userId: string;
  email: string | null;
  phone: string | null;
}

/**
 * E-mail and phone of live accounts (at most 100 ids), for signed-in callers only. The asking
 * subgraph decides who may see them (vendors: a store's members and admins, about co-members).
 */
export const UserContactsQuery = defineInternalQuery<{ ids: string[] }, { userContacts: UserContact[] }>(
  'identity',
  'query UserContacts($ids: [ID!]!) { userContacts(ids: $ids) { userId email phone } }',
);

/**
 * Adds VENDOR to the signed-in caller's own account (idempotent), when a customer applies for a
 * store. A mutation: the internal client posts any document.
 */
export const GrantVendorRoleMutation = defineInternalQuery<
  { userId: string },
  { grantVendorRole: { userId: string; roles: Role[]; granted: boolean } }
>('identity', 'mutation GrantVendorRole($userId: ID!) { grantVendorRole(userId: $userId) { userId roles granted } }');
