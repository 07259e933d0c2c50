import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import {
  createDataSource,
  runSubgraph,
  sendJson,
  startMessageDispatcher,
  type Infra,
  type Logger,
  type MessageProviders,
  type RunningSubgraph,
  type SubgraphModule,
} from '@fashionistar/shared';
import { loadIdentityConfig, type IdentityConfig } from './config';
import { SOURCE, buildIdentityContext, type IdentityDeps } from './context';
import { identityEntities } from './entities';
import { identityMigrations } from './migrations';
import { resolvers } from './resolvers';
import { seedIdentity } from './seed/seed';
import { KeyStore } from './services/key-store';
import { startRevocationConsumer } from './services/session.service';

export const SCHEMA_DIR = join(__dirname, 'schema');

export function identityDataSource(url: string, log?: Logger): DataSource {
  return createDataSource({ url, schema: SOURCE, entities: identityEntities, migrations: identityMigrations, log });
}

export interface StartIdentityOptions {
  config: IdentityConfig;
  databaseUrl: string;
  infra: Infra;
  log: Logger;
  /** E-mail and SMS providers; a channel without one keeps its messages STORED. */
  providers: MessageProviders;
  /** Overrides IDENTITY_PORT (0 = any free port, for tests). */
  port?: number;
}

export interface RunningIdentity extends RunningSubgraph {
  deps: IdentityDeps;
}

/** Starts the identity subgraph: keys, then the common subgraph life (migrate, seed, relay). */
export async function startIdentity(o: StartIdentityOptions): Promise<RunningIdentity> {
  const production = o.config.NODE_ENV === 'production';
  const keys = new KeyStore(o.config.JWT_KEYS_DIR, o.config.JWT_KEY_ACTIVATION_SECONDS).load(!production);
  const deps: IdentityDeps = { config: o.config, keys };
  const server = await runSubgraph({
    name: SOURCE,
    port: o.port ?? o.config.IDENTITY_PORT,
    host: o.config.IDENTITY_HOST,
    config: o.config,
    databaseUrl: o.databaseUrl,
    infra: o.infra,
    log: o.log,
    schemaDir: SCHEMA_DIR,
    resolvers,
    entities: identityEntities,
    migrations: identityMigrations,
    buildContext: buildIdentityContext(deps),
    publicRoutes: { '/.well-known/jwks.json': (_req, res) => sendJson(res, 200, keys.jwks(), { 'cache-control': 'public, max-age=300' }) },
    seed: ({ dataSource, log }) => seedIdentity(dataSource, log),
    // Event consumers (declared in schema/subgraphs.json `consumes`): identity-messages, identity-revocations.
    onReady: async ({ dataSource, infra, log }) => {
      await startMessageDispatcher(dataSource, infra, SOURCE, o.providers, log);
      await startRevocationConsumer(dataSource, infra, o.config, log);
    },
  });
  return { ...server, deps };
}

/** The identity subgraph, as the launcher and tests start it. */
export const subgraph: SubgraphModule = {
  name: SOURCE,
  start: (o) =>
    startIdentity({
      config: loadIdentityConfig(o.env),
      databaseUrl: o.databaseUrl,
      infra: o.infra,
      log: o.log,
      providers: o.providers,
      port: o.port,
    }),
};
