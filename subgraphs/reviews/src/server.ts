import { join } from 'node:path';
import { defineSubgraph } from '@fashionistar/shared';
import { loadReviewsConfig } from './config';
import { SOURCE, buildReviewsContext } from './context';
import { reviewsEntities } from './entities';
import { reviewsMigrations } from './migrations';
import { resolvers } from './resolvers';
import { seedReviews } from './seed/seed';
import { startReviewVendorBackfill } from './services/backfill.service';

/** The reviews subgraph: reviews, votes, replies, ratings. */
export const subgraph = defineSubgraph({
  name: SOURCE,
  schemaDir: join(__dirname, 'schema'),
  loadConfig: loadReviewsConfig,
  listen: (c) => ({ port: c.REVIEWS_PORT, host: c.REVIEWS_HOST }),
  resolvers,
  entities: reviewsEntities,
  migrations: reviewsMigrations,
  deps: ({ config, internal }) => ({ config, internal }),
  context: buildReviewsContext,
  seed: ({ dataSource, log, config }) => seedReviews(dataSource, log, config.SEED_SCALE),
  // Reviews older than the store inbox (and the demo seed's) learn their store from the catalog.
  onReady: (rt) => Promise.resolve(startReviewVendorBackfill(rt)),
});
