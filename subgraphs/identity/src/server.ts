import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import type { DataSource } from 'typeorm';
import {
  OutboxRelay,
  createDataSource,
  initializeAndMigrate,
  sendJson,
  startMessageDispatcher,
  startSubgraphServer,
  type Infra,
  type Logger,
  type MessageProviders,
  type RunningServer,
  type SubgraphModule,
} from '@fashionistar/shared';
import { loadIdentityConfig, type IdentityConfig } from './config';
import { SOURCE, buildIdentityContext, type IdentityDeps } from './context';
import { identityEntities } from './entities';
import { Init1764000000000 } from './migrations/1764000000000-init';
import { resolvers } from './resolvers';
import { seedIdentity } from './seed/seed';
import { KeyStore } from './services/key-store';

export const SCHEMA_DIR = join(__dirname, 'schema');

/** The subgraph's SDL: its schema files in name order. */
export function identityTypeDefs() {
  const files = readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .sort();
  return parse(files.map((f) => readFileSync(join(SCHEMA_DIR, f), 'utf8')).join('\n'));
}

export function identityDataSource(url: string, log?: Logger): DataSource {
  return createDataSource({ url, schema: SOURCE, entities: identityEntities, migrations: [Init1764000000000], log });
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

export interface RunningIdentity extends RunningServer {
  dataSource: DataSource;
  deps: IdentityDeps;
  relay: OutboxRelay;
}

/**
 * Starts the identity subgraph: listens at once (health says "starting"), then migrates, seeds
 * (outside production, when SEED is on) and starts the outbox relay and message dispatcher.
 */
export async function startIdentity(o: StartIdentityOptions): Promise<RunningIdentity> {
  const production = o.config.NODE_ENV === 'production';
  const keys = new KeyStore(o.config.JWT_KEYS_DIR).load(!production);
  const deps: IdentityDeps = { config: o.config, keys };
  const dataSource = identityDataSource(o.databaseUrl, o.log);
  let ready = false;
  const server = await startSubgraphServer({
    name: SOURCE,
    port: o.port ?? o.config.IDENTITY_PORT,
    host: o.config.IDENTITY_HOST,
    schema: buildSubgraphSchema({ typeDefs: identityTypeDefs(), resolvers: resolvers as never }),
    routerSecret: o.config.ROUTER_SECRET,
    production,
    log: o.log,
    infra: o.infra,
    dataSource,
    buildContext: buildIdentityContext(deps),
    publicRoutes: { '/.well-known/jwks.json': (_req, res) => sendJson(res, 200, keys.jwks(), { 'cache-control': 'public, max-age=300' }) },
    isReady: () => ready,
  });
  const relay = new OutboxRelay(dataSource, o.infra, SOURCE, o.log);
  try {
    await initializeAndMigrate(dataSource, o.log);
    if (o.config.SEED && !production) await seedIdentity(dataSource, o.log);
    await startMessageDispatcher(dataSource, o.infra, SOURCE, o.providers, o.log);
    relay.start();
    ready = true;
  } catch (error) {
    await server.stop();
    if (dataSource.isInitialized) await dataSource.destroy();
    throw error;
  }
  return {
    ...server,
    dataSource,
    deps,
    relay,
    stop: async () => {
      await server.stop();
      await relay.stop();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
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
