import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import {
  InternalClient,
  createDataSource,
  runSubgraph,
  type Infra,
  type Logger,
  type RunningSubgraph,
  type SubgraphModule,
} from '@fashionistar/shared';
import { loadReviewsConfig, type ReviewsConfig } from './config';
import { SOURCE, buildReviewsContext, type ReviewsDeps } from './context';
import { reviewsEntities } from './entities';
import { ReviewsInit1764400000000 } from './migrations/1764400000000-init';
import { resolvers } from './resolvers';
import { seedReviews } from './seed/seed';

export const SCHEMA_DIR = join(__dirname, 'schema');

export function reviewsDataSource(url: string, log?: Logger): DataSource {
  return createDataSource({ url, schema: SOURCE, entities: reviewsEntities, migrations: [ReviewsInit1764400000000], log });
}

export interface StartReviewsOptions {
  config: ReviewsConfig;
  databaseUrl: string;
  infra: Infra;
  log: Logger;
  /** Subgraph name → GraphQL URL; `catalog` and `vendors` are called. Read at call time. */
  peers: Record<string, string>;
  /** Overrides REVIEWS_PORT (0 = any free port, for tests). */
  port?: number;
}

export interface RunningReviews extends RunningSubgraph {
  deps: ReviewsDeps;
}

/** Starts the reviews subgraph: the common subgraph life (migrate, seed, relay) with its internal client. */
export async function startReviews(o: StartReviewsOptions): Promise<RunningReviews> {
  const deps: ReviewsDeps = { config: o.config, internal: new InternalClient(o.peers, o.config.ROUTER_SECRET) };
  const server = await runSubgraph({
    name: SOURCE,
    port: o.port ?? o.config.REVIEWS_PORT,
    host: o.config.REVIEWS_HOST,
    config: o.config,
    databaseUrl: o.databaseUrl,
    infra: o.infra,
    log: o.log,
    schemaDir: SCHEMA_DIR,
    resolvers,
    entities: reviewsEntities,
    migrations: [ReviewsInit1764400000000],
    buildContext: buildReviewsContext(deps),
    seed: ({ dataSource, log }) => seedReviews(dataSource, log, o.config.SEED_SCALE),
  });
  return { ...server, deps };
}

/** The reviews subgraph, as the launcher and tests start it. */
export const subgraph: SubgraphModule = {
  name: SOURCE,
  start: (o) =>
    startReviews({
      config: loadReviewsConfig(o.env),
      databaseUrl: o.databaseUrl,
      infra: o.infra,
      log: o.log,
      peers: o.peers,
      port: o.port,
    }),
};
