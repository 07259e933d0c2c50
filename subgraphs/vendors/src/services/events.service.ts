import type { EventHandler } from '@fashionistar/shared';
import { eraseMember } from './erasure.service';

/**
 * Identity's account-deletion event (payload version 1). Spelled here until the shared event
 * contracts land; identity emits the same name.
 */
export const USER_DELETED = 'identity.user.deleted';
export interface UserDeletedV1 {
  userId: string;
}

/**
 * Events vendors applies (consumer `vendors`, declared in schema/subgraphs.json). Each runs in
 * the transaction that records its id, so a redelivered event is skipped, and each handler is
 * idempotent on its own besides (see eraseMember).
 */
export const vendorsEventHandlers: Record<string, EventHandler> = {
  [USER_DELETED]: async (event, em) => {
    const { userId } = event.payload as UserDeletedV1;
    await eraseMember({ em, identity: null, afterCommit: [] }, userId);
  },
};
