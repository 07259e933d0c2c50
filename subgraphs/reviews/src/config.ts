import { bool, commonSpec, int, loadConfig, str, type ConfigOf } from '@fashionistar/shared';

/** Everything the reviews subgraph reads from the environment. */
export const reviewsSpec = {
  ...commonSpec,
  REVIEWS_PORT: int('port of the reviews subgraph', 4004, 0, 65535),
  REVIEWS_HOST: str('interface the reviews subgraph binds', '127.0.0.1'),
  // No peer URLs here: the catalog and vendors URLs it calls come from the launcher (`npm start`),
  // the standalone runner (schema/subgraphs.json `urlEnv`) or the tests, as `peers`.
  SEED: bool('seed demo reviews at start (never in production)', true),
  SEED_SCALE: int('demo products the seed reviews (product:1..N, as the catalog seeds them)', 2000, 0, 1_000_000),
};

export type ReviewsConfig = ConfigOf<typeof reviewsSpec>;

export function loadReviewsConfig(env: NodeJS.ProcessEnv = process.env): ReviewsConfig {
  return loadConfig(reviewsSpec, env);
}
