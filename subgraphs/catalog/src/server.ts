import { join } from 'node:path';
import { defineSubgraph } from '@fashionistar/shared';
import { loadCatalogConfig } from './config';
import { SOURCE, buildCatalogContext } from './context';
import { catalogEntities } from './entities';
import { catalogMigrations } from './migrations';
import { resolvers } from './resolvers';
import { seedCatalog } from './seed/seed';
import { catalogEventHandlers } from './services/events.service';

/** The catalog subgraph: products, variants, gallery, taxonomy, search, homepage. */
export const subgraph = defineSubgraph({
  name: SOURCE,
  schemaDir: join(__dirname, 'schema'),
  loadConfig: loadCatalogConfig,
  listen: (c) => ({ port: c.CATALOG_PORT, host: c.CATALOG_HOST }),
  resolvers,
  entities: catalogEntities,
  migrations: catalogMigrations,
  deps: ({ config, internal }) => ({ config, internal }),
  context: buildCatalogContext,
  seed: ({ dataSource, log, config }) => seedCatalog(dataSource, log, config.SEED_SCALE),
  consumers: () => ({ catalog: catalogEventHandlers }),
});
