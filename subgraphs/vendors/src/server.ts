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
import { loadVendorsConfig, type VendorsConfig } from './config';
import { SOURCE, buildVendorsContext, type VendorsDeps } from './context';
import { vendorsEntities } from './entities';
import { Init1764100000000 } from './migrations/1764100000000-init';
import { StoreInvitations1766000000000 } from './migrations/1766000000000-store-invitations';
import { resolvers } from './resolvers';
import { seedVendors } from './seed/seed';

export const SCHEMA_DIR = join(__dirname, 'schema');
export const MIGRATIONS = [Init1764100000000, StoreInvitations1766000000000];

export function vendorsDataSource(url: string, log?: Logger): DataSource {
  return createDataSource({ url, schema: SOURCE, entities: vendorsEntities, migrations: MIGRATIONS, log });
}

export interface StartVendorsOptions {
  config: VendorsConfig;
  databaseUrl: string;
  infra: Infra;
  log: Logger;
  /** Overrides VENDORS_PORT (0 = any free port, for tests). */
  port?: number;
  /** URLs of the other subgraphs (identity finds invitees by e-mail). */
  peers?: Record<string, string>;
}

export interface RunningVendors extends RunningSubgraph {
  deps: VendorsDeps;
}

/** Starts the vendors subgraph: the common subgraph life (migrate, seed, outbox relay). */
export async function startVendors(o: StartVendorsOptions): Promise<RunningVendors> {
  const deps: VendorsDeps = { config: o.config, internal: new InternalClient(o.peers ?? {}, o.config.ROUTER_SECRET) };
  const server = await runSubgraph({
    name: SOURCE,
    port: o.port ?? o.config.VENDORS_PORT,
    host: o.config.VENDORS_HOST,
    config: o.config,
    databaseUrl: o.databaseUrl,
    infra: o.infra,
    log: o.log,
    schemaDir: SCHEMA_DIR,
    resolvers,
    entities: vendorsEntities,
    migrations: MIGRATIONS,
    buildContext: buildVendorsContext(deps),
    seed: ({ dataSource, log }) => seedVendors(dataSource, log),
  });
  return { ...server, deps };
}

/** The vendors subgraph, as the launcher and tests start it. */
export const subgraph: SubgraphModule = {
  name: SOURCE,
  start: (o) =>
    startVendors({
      config: loadVendorsConfig(o.env),
      databaseUrl: o.databaseUrl,
      infra: o.infra,
      log: o.log,
      port: o.port,
      peers: o.peers,
    }),
};
