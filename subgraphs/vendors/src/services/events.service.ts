import type { EVENT_ROUTES, EventHandlers } from '@fashionistar/shared';
import { eraseMember } from './erasure.service';

/**
 * Events vendors applies (consumer `vendors`, routed in shared/src/contracts/routes.ts). Each runs
 * in the transaction that records its id, so a redelivered event is skipped, and each handler is
 * idempotent on its own besides (see eraseMember).
 */
export const vendorsEventHandlers: EventHandlers<typeof EVENT_ROUTES, 'vendors'> = {
  'identity.user.deleted': ({ payload }, em) => eraseMember({ em, identity: null, afterCommit: [] }, payload.userId),
};
