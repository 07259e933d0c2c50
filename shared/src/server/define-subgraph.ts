import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode } from 'graphql';
import type { DataSource, EntitySchema, MixedList } from 'typeorm';
import type { BaseContext } from '../context';
import type { ConsumerName } from '../contracts/routes';
import { EVENT_ROUTES } from '../contracts/routes';
import { createDataSource, initializeAndMigrate } from '../db/data-source';
import { OutboxRelay, consumeEvents, type EventHandlers } from '../events/outbox';
import type { Infra } from '../infra/types';
import { InternalClient } from '../internal-client';
import type { Logger } from '../logger';
import type { MessageProviders } from '../messaging/providers';
import { startSubgraphServer, type Route, type RunningServer } from './subgraph-server';

/** A subgraph's SDL: the .graphql files of `dir` in name order. */
export function loadTypeDefs(dir: string): DocumentNode {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort();
  return parse(files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n'));
}

/** What every subgraph's validated config has (see `commonSpec`). */
export interface SubgraphBaseConfig {
  NODE_ENV: string;
  ROUTER_SECRET: string;
  /** Seeding runs only when it is on, and never in production. */
  SEED?: boolean;
  /** Bearer token `/metrics` requires (commonSpec). */
  METRICS_TOKEN?: string;
}

/** The event handlers a subgraph runs, by consumer (each consumer's exactly as routed to it). */
export type ConsumerMap = { [C in ConsumerName]?: EventHandlers<typeof EVENT_ROUTES, C> };

/** What start-up hooks receive. */
export interface SubgraphRuntime<Cfg, D> {
  config: Cfg;
  deps: D;
  dataSource: DataSource;
  infra: Infra;
  log: Logger;
  /** E-mail and SMS providers (see the message outbox). */
  providers: MessageProviders;
}

/** Everything that makes one subgraph what it is; the kernel does the rest (`defineSubgraph`). */
export interface SubgraphDefinition<Cfg extends SubgraphBaseConfig, D, C extends BaseContext> {
  /** Subgraph name: also its Postgres schema and its event source. */
  name: string;
  /** Folder of its .graphql files. */
  schemaDir: string;
  /** Reads and validates its environment (throws with every problem listed). */
  loadConfig: (env: NodeJS.ProcessEnv) => Cfg;
  /** Where it listens, from its config (`<NAME>_PORT`, `<NAME>_HOST`). */
  listen: (config: Cfg) => { port: number; host: string };
  resolvers: unknown;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
  /** Long-lived things its services need, built once per process. */
  deps: (s: { config: Cfg; internal: InternalClient; providers: MessageProviders; log: Logger }) => D;
  /** The request context: the base context plus its own (loaders, deps). */
  context: (base: BaseContext, deps: D) => C;
  /** Extra public GET routes answered without the router secret (e.g. JWKS). */
  publicRoutes?: (deps: D) => Record<string, Route>;
  /** Demo data, after migrations, when SEED is on and never in production; must be idempotent. */
  seed?: (rt: SubgraphRuntime<Cfg, D>) => Promise<unknown>;
  /** Event handlers per consumer; checked against the declared routes before anything starts. */
  consumers?: (rt: SubgraphRuntime<Cfg, D>) => ConsumerMap;
  /** Runs after migrations, seeding and consumers (anything else to start). */
  onReady?: (rt: SubgraphRuntime<Cfg, D>) => Promise<void>;
}

export interface RunningSubgraph<Cfg = SubgraphBaseConfig, D = unknown> extends RunningServer {
  config: Cfg;
  deps: D;
  dataSource: DataSource;
  relay: OutboxRelay;
  /**
   * Stops taking requests and relaying events but keeps the database open, so a launcher can
   * then close the queues (letting running jobs finish) before stop() closes the database.
   */
  drain(): Promise<void>;
}

export interface SubgraphStartOptions {
  databaseUrl: string;
  infra: Infra;
  log: Logger;
  /** E-mail and SMS providers; a channel without one keeps its messages STORED. */
  providers: MessageProviders;
  env: NodeJS.ProcessEnv;
  /** Overrides the configured port (0 = any free port). */
  port?: number;
  /**
   * Subgraph name → GraphQL URL of the others, for internal calls. Read at call time: the
   * launcher may fill it after every subgraph is listening (tests use free ports).
   */
  peers: Record<string, string>;
}

/**
 * What each subgraph package exports as `subgraph`, so the all-in-one launcher (`npm start`),
 * the standalone runner and tests start any subgraph the same way.
 */
export interface SubgraphModule<Cfg extends SubgraphBaseConfig = SubgraphBaseConfig, D = unknown> {
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  definition: SubgraphDefinition<Cfg, D, any>;
  start(o: SubgraphStartOptions): Promise<RunningSubgraph<Cfg, D>>;
  /** A DataSource on its schema with its entities and migrations (CLIs, tests). */
  dataSource(url: string, log?: Logger): DataSource;
}

/** Any subgraph, whatever its config and deps (launchers, tests). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySubgraphModule = SubgraphModule<any, any>;

/**
 * Defines a subgraph from what is its own. Its life when started: listen at once (health says
 * "starting"), migrate under the advisory lock, seed, start consumers and hooks and the outbox
 * relay, then report ready. stop() closes in reverse order.
 */
export function defineSubgraph<Cfg extends SubgraphBaseConfig, D, C extends BaseContext>(
  def: SubgraphDefinition<Cfg, D, C>,
): SubgraphModule<Cfg, D> {
  const dataSource = (url: string, log?: Logger) =>
    createDataSource({ url, schema: def.name, entities: def.entities, migrations: def.migrations, log });
  return { name: def.name, definition: def, dataSource, start: (o) => start(def, o, dataSource(o.databaseUrl, o.log)) };
}

async function start<Cfg extends SubgraphBaseConfig, D, C extends BaseContext>(
  def: SubgraphDefinition<Cfg, D, C>,
  o: SubgraphStartOptions,
  dataSource: DataSource,
): Promise<RunningSubgraph<Cfg, D>> {
  const config = def.loadConfig(o.env);
  const production = config.NODE_ENV === 'production';
  const internal = new InternalClient(o.peers, config.ROUTER_SECRET, undefined, def.name);
  const deps = def.deps({ config, internal, providers: o.providers, log: o.log });
  const listen = def.listen(config);
  let ready = false;
  const server = await startSubgraphServer({
    name: def.name,
    port: o.port ?? listen.port,
    host: listen.host,
    schema: buildSubgraphSchema({ typeDefs: loadTypeDefs(def.schemaDir), resolvers: def.resolvers as never }),
    routerSecret: config.ROUTER_SECRET,
    production,
    log: o.log,
    infra: o.infra,
    dataSource,
    buildContext: (base) => def.context(base, deps),
    publicRoutes: def.publicRoutes?.(deps),
    isReady: () => ready,
    metricsToken: config.METRICS_TOKEN,
  });
  const relay = new OutboxRelay(dataSource, o.infra, def.name, o.log, EVENT_ROUTES);
  const rt: SubgraphRuntime<Cfg, D> = { config, deps, dataSource, infra: o.infra, log: o.log, providers: o.providers };
  try {
    await initializeAndMigrate(dataSource, o.log);
    if (def.seed && config.SEED !== false && !production) await def.seed(rt);
    for (const [consumer, handlers] of Object.entries(def.consumers?.(rt) ?? {})) {
      // Each entry was type-checked against its consumer's routes in the definition.
      const c = consumer as ConsumerName;
      await consumeEvents({ dataSource, infra: o.infra, log: o.log, routes: EVENT_ROUTES, consumer: c, handlers: handlers as never });
    }
    await def.onReady?.(rt);
    relay.start();
    ready = true;
  } catch (error) {
    await server.stop();
    if (dataSource.isInitialized) await dataSource.destroy();
    throw error;
  }
  const drain = async () => {
    await server.stop();
    await relay.stop();
  };
  return {
    ...server,
    config,
    deps,
    dataSource,
    relay,
    drain,
    stop: async () => {
      await drain();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
