import { bool, commonSpec, int, loadConfig, str, type ConfigOf } from '@fashionistar/shared';

/** Everything the catalog subgraph reads from the environment. */
export const catalogSpec = {
  ...commonSpec,
  CATALOG_PORT: int('port of the catalog subgraph', 4002, 0, 65535),
  CATALOG_HOST: str('interface the catalog subgraph binds', '127.0.0.1'),
  SEED: bool('seed demo data at start (never in production)', true),
  SEED_SCALE: int('products in the demo catalog (100000 for benchmarks)', 2000, 0, 1_000_000),
};

export type CatalogConfig = ConfigOf<typeof catalogSpec>;

export const loadCatalogConfig = (env: NodeJS.ProcessEnv = process.env): CatalogConfig => loadConfig(catalogSpec, env);
