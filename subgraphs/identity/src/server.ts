import { join } from 'node:path';
import { defineSubgraph, messageHandlers, sendJson } from '@fashionistar/shared';
import { loadIdentityConfig } from './config';
import { SOURCE, buildIdentityContext } from './context';
import { identityEntities } from './entities';
import { identityMigrations } from './migrations';
import { resolvers } from './resolvers';
import { seedIdentity } from './seed/seed';
import { KeyStore } from './services/key-store';
import { revocationHandlers } from './services/session.service';

/** The identity subgraph: accounts, credentials, sessions and signing keys, verification, addresses. */
export const subgraph = defineSubgraph({
  name: SOURCE,
  schemaDir: join(__dirname, 'schema'),
  loadConfig: loadIdentityConfig,
  listen: (c) => ({ port: c.IDENTITY_PORT, host: c.IDENTITY_HOST }),
  resolvers,
  entities: identityEntities,
  migrations: identityMigrations,
  // Outside production a missing signing key is generated; in production it must be provisioned.
  deps: ({ config }) => ({
    config,
    keys: new KeyStore(config.JWT_KEYS_DIR, config.JWT_KEY_ACTIVATION_SECONDS).load(config.NODE_ENV !== 'production'),
  }),
  context: buildIdentityContext,
  publicRoutes: ({ keys }) => ({
    '/.well-known/jwks.json': (_req, res) => sendJson(res, 200, keys.jwks(), { 'cache-control': 'public, max-age=300' }),
  }),
  seed: ({ dataSource, log }) => seedIdentity(dataSource, log),
  consumers: ({ dataSource, infra, config, providers, log }) => ({
    'identity-messages': messageHandlers(SOURCE, dataSource, providers, log),
    'identity-revocations': revocationHandlers(infra, config),
  }),
});

export type RunningIdentity = Awaited<ReturnType<typeof subgraph.start>>;
