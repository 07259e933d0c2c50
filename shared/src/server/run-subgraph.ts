import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode } from 'graphql';
import type { DataSource, EntitySchema, MixedList } from 'typeorm';
import type { BaseContext } from '../context';
import { createDataSource, initializeAndMigrate } from '../db/data-source';
import { OutboxRelay } from '../events/outbox';
import { eventRoutes } from '../composition-config';
import type { Infra } from '../infra/types';
import type { Logger } from '../logger';
import { startSubgraphServer, type Route, type RunningServer } from './subgraph-server';

/** A subgraph's SDL: the .graphql files of `dir` in name order. */
export function loadTypeDefs(dir: string): DocumentNode {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort();
  return parse(files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n'));
}

/** What start-up hooks receive. */
export interface SubgraphRuntime {
  dataSource: DataSource;
  infra: Infra;
  log: Logger;
}

export interface RunSubgraphOptions<C extends BaseContext> {
  /** Subgraph name: also its Postgres schema and its event source. */
  name: string;
  port: number;
  host: string;
  /**
   * The subgraph's validated config: production mode, the router secret, and SEED (seeding runs
   * only when it is on and never in production).
   */
  config: { NODE_ENV: string; ROUTER_SECRET: string; SEED?: boolean };
  databaseUrl: string;
  infra: Infra;
  log: Logger;
  schemaDir: string;
  resolvers: unknown;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
  buildContext: (base: BaseContext) => C;
  publicRoutes?: Record<string, Route>;
  /** Runs after migrations when SEED is on, outside production (demo data; must be idempotent). */
  seed?: (rt: SubgraphRuntime) => Promise<unknown>;
  /** Runs after migrations and seeding: event consumers, message dispatchers. */
  onReady?: (rt: SubgraphRuntime) => Promise<void>;
}

export interface RunningSubgraph extends RunningServer {
  dataSource: DataSource;
  relay: OutboxRelay;
  /**
   * Stops taking requests and relaying events but keeps the database open, so a launcher can
   * then close the queues (letting running jobs finish) before stop() closes the database.
   */
  drain(): Promise<void>;
}

/**
 * The common life of a subgraph: listen at once (health says "starting"), migrate under the
 * advisory lock, seed, start hooks and the outbox relay, then report ready. stop() closes in
 * reverse order.
 */
export async function runSubgraph<C extends BaseContext>(o: RunSubgraphOptions<C>): Promise<RunningSubgraph> {
  const production = o.config.NODE_ENV === 'production';
  const dataSource = createDataSource({ url: o.databaseUrl, schema: o.name, entities: o.entities, migrations: o.migrations, log: o.log });
  let ready = false;
  const server = await startSubgraphServer({
    name: o.name,
    port: o.port,
    host: o.host,
    schema: buildSubgraphSchema({ typeDefs: loadTypeDefs(o.schemaDir), resolvers: o.resolvers as never }),
    routerSecret: o.config.ROUTER_SECRET,
    production,
    log: o.log,
    infra: o.infra,
    dataSource,
    buildContext: o.buildContext,
    publicRoutes: o.publicRoutes,
    isReady: () => ready,
  });
  const relay = new OutboxRelay(dataSource, o.infra, o.name, o.log, 1000, 100, eventRoutes());
  const rt: SubgraphRuntime = { dataSource, infra: o.infra, log: o.log };
  try {
    await initializeAndMigrate(dataSource, o.log);
    if (o.seed && o.config.SEED !== false && !production) await o.seed(rt);
    await o.onReady?.(rt);
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
    dataSource,
    relay,
    drain,
    stop: async () => {
      await drain();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
