import 'reflect-metadata';
import { DataSource, type MixedList, type EntitySchema } from 'typeorm';
import { SnakeNamingStrategy } from './naming';
import { CountingLogger } from './query-counter';
import type { Logger } from '../logger';
import { EXTENSIONS_SCHEMA } from './provision';
import { sqlSpanSubscriber } from '../observability/sql-spans';

export interface DataSourceOptions {
  /** Postgres URL. */
  url: string;
  /** The Postgres schema this subgraph owns; its tables and migration history live there. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
  /** Pool size per process. Default 10. */
  poolSize?: number;
  log?: Logger;
}

/**
 * A DataSource bound to one subgraph's schema: `search_path` is set on every connection, so
 * unqualified SQL in migrations and queries lands in the subgraph's own schema, and extension
 * operators and functions (`%`, `similarity`, `gin_trgm_ops`) resolve from `extensions`.
 * `public` is not on it: nothing of ours lives there, and production roles cannot use it.
 */
export function createDataSource(o: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: o.url,
    schema: o.schema,
    entities: o.entities,
    migrations: o.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    installExtensions: false,
    namingStrategy: new SnakeNamingStrategy(),
    logger: new CountingLogger((q, ms) => o.log?.warn({ ms, query: q.slice(0, 500) }, 'slow query')),
    logging: ['query'],
    // One span per statement when tracing is on (a flag check per statement when it is off).
    subscribers: [sqlSpanSubscriber(o.schema)],
    maxQueryExecutionTime: 1000,
    extra: { max: o.poolSize ?? 10, options: `-c search_path=${o.schema},${EXTENSIONS_SCHEMA}`, application_name: `fsg-${o.schema}` },
  });
}

/**
 * Initializes the DataSource and runs pending migrations under a Postgres advisory lock keyed by
 * the schema, so several replicas can start at once: the first migrates, the others wait for the
 * lock, then find nothing pending.
 */
export async function initializeAndMigrate(ds: DataSource, log?: Logger): Promise<void> {
  const schema = (ds.options as { schema: string }).schema;
  // The schema must exist before TypeORM looks for its migrations table in it.
  const boot = new DataSource({ type: 'postgres', url: (ds.options as { url: string }).url, extra: { max: 1 } });
  await boot.initialize();
  try {
    await boot.query(`SELECT pg_advisory_lock(hashtext($1))`, [`fsg-migrate:${schema}`]);
    try {
      // A production role owns its schema (made by provisionDatabase) but may not create schemas,
      // and CREATE SCHEMA IF NOT EXISTS checks that privilege even when the schema exists.
      const exists = await boot.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema]);
      if (exists.length === 0) await boot.query(`CREATE SCHEMA "${schema}"`);
      if (!ds.isInitialized) await ds.initialize();
      const ran = await ds.runMigrations({ transaction: 'each' });
      if (ran.length) log?.info({ schema, migrations: ran.map((m) => m.name) }, 'migrations applied');
    } finally {
      await boot.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`fsg-migrate:${schema}`]);
    }
  } finally {
    await boot.destroy();
  }
}
