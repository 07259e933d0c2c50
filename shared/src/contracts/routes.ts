import type { EventRoutes } from './event';
import { IdentityMessageQueued, SessionRevoked, UserDeleted } from './identity';
import { ProductRatingChanged, RatingsSnapshot } from './reviews';
import { VendorStatusChanged } from './vendors';

/**
 * Every event consumer of the supergraph and the events delivered to it: the one place routes
 * are declared. The emitting subgraph's relay reads it (so an event emitted before its
 * consumer's process is up still reaches the consumer's queue), and `consumeEvents` checks at
 * start-up that the consumer handles exactly these types (and the handler map's type requires it).
 */
export const EVENT_ROUTES = {
  'identity-messages': [IdentityMessageQueued],
  'identity-revocations': [SessionRevoked],
  catalog: [VendorStatusChanged, ProductRatingChanged, RatingsSnapshot],
  vendors: [UserDeleted],
} as const satisfies EventRoutes;

export type ConsumerName = keyof typeof EVENT_ROUTES;
