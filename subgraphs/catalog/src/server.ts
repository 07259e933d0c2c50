import { join } from 'node:path';
import {
  InternalClient,
  consumeEvents,
  runSubgraph,
  type Infra,
  type Logger,
  type RunningSubgraph,
  type SubgraphModule,
} from '@fashionistar/shared';
import { loadCatalogConfig, type CatalogConfig } from './config';
import { SOURCE, buildCatalogContext, type CatalogDeps } from './context';
import { catalogEntities } from './entities';
import { Init1764100000000 } from './migrations/1764100000000-init';
import { TrigramInExtensions1766000000000 } from './migrations/1766000000000-trigram-in-extensions';
import { resolvers } from './resolvers';
import { seedCatalog } from './seed/seed';
import { catalogEventHandlers } from './services/events.service';

export const SCHEMA_DIR = join(__dirname, 'schema');
export const catalogMigrations = [Init1764100000000, TrigramInExtensions1766000000000];

export interface StartCatalogOptions {
  config: CatalogConfig;
  databaseUrl: string;
  infra: Infra;
  log: Logger;
  /** URLs of the other subgraphs (vendors answers store access). */
  peers: Record<string, string>;
  port?: number;
}

export interface RunningCatalog extends RunningSubgraph {
  deps: CatalogDeps;
}

export async function startCatalog(o: StartCatalogOptions): Promise<RunningCatalog> {
  const deps: CatalogDeps = { config: o.config, internal: new InternalClient(o.peers, o.config.ROUTER_SECRET) };
  const server = await runSubgraph({
    name: SOURCE,
    port: o.port ?? o.config.CATALOG_PORT,
    host: o.config.CATALOG_HOST,
    config: o.config,
    databaseUrl: o.databaseUrl,
    infra: o.infra,
    log: o.log,
    schemaDir: SCHEMA_DIR,
    resolvers,
    entities: catalogEntities,
    migrations: catalogMigrations,
    buildContext: buildCatalogContext(deps),
    seed: ({ dataSource, log }) => seedCatalog(dataSource, log, o.config.SEED_SCALE),
    onReady: ({ dataSource, infra, log }) => consumeEvents(dataSource, infra, SOURCE, catalogEventHandlers, log),
  });
  return { ...server, deps };
}

/** The catalog subgraph, as the launcher and tests start it. */
export const subgraph: SubgraphModule = {
  name: SOURCE,
  start: (o) =>
    startCatalog({
      config: loadCatalogConfig(o.env),
      databaseUrl: o.databaseUrl,
      infra: o.infra,
      log: o.log,
      peers: o.peers,
      port: o.port,
    }),
};
