import type { BaseContext, InternalClient } from '@fashionistar/shared';
import type { ReviewsConfig } from './config';

/** Long-lived things the reviews services need, built once per process. */
export interface ReviewsDeps {
  config: ReviewsConfig;
  /** Write-time questions to catalog (who sells a product) and vendors (is the caller a member). */
  internal: InternalClient;
}

export interface ReviewsContext extends BaseContext {
  deps: ReviewsDeps;
}

export const buildReviewsContext = (base: BaseContext, deps: ReviewsDeps): ReviewsContext => ({ ...base, deps });

/** The name this subgraph uses for its Postgres schema and event source. */
export const SOURCE = 'reviews';
