/**
 * `npm start`: the whole supergraph in one process, with nothing else installed. Without
 * DATABASE_URL, Postgres is embedded (data in .data/pg, port 54329); without REDIS_URL, queues,
 * pub/sub and rate limits are in-process. Each subgraph still listens on its own port and the
 * router reaches it over HTTP, exactly as in containers.
 */
import {
  createInfra,
  createLogger,
  loadConfig,
  provisionDatabase,
  providersFromEnv,
  readSubgraphConfig,
  subgraphUrls,
  type AnySubgraphModule,
  startTracing,
  type RunningServer,
} from '@fashionistar/shared';
import { devSpec } from './config';
import { loadRouterConfig } from '../config';
import { startRouter } from '../router';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';

async function main() {
  const started = Date.now();
  const config = loadRouterConfig();
  const dev = loadConfig(devSpec);
  const log = createLogger('fashionistar', config.LOG_LEVEL);
  // One provider for every server of this process (a no-op unless OTEL_* asks for it).
  const tracing = await startTracing('fashionistar');
  let embedded: EmbeddedPostgres | null = null;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(dev.EMBEDDED_PG_DIR, dev.EMBEDDED_PG_PORT, 'fashionistar', log);
    databaseUrl = embedded.url;
  }
  const infra = createInfra({ redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX, log });
  const providers = providersFromEnv();
  const servers: Array<RunningServer & { drain?: () => Promise<void> }> = [];
  // Stop taking work everywhere, let running jobs finish (queues close), then close databases.
  const stopAll = async () => {
    const reversed = [...servers].reverse();
    for (const s of reversed) await (s.drain ?? s.stop)().catch((err) => log.error({ err }, 'drain failed'));
    await infra.close().catch((err) => log.error({ err }, 'closing queues failed'));
    for (const s of reversed) await s.stop().catch((err) => log.error({ err }, 'stop failed'));
    await embedded?.stop().catch(() => undefined);
    await tracing?.shutdown().catch(() => undefined);
  };
  try {
    const configs = readSubgraphConfig();
    // What compose's db-init does, minus the roles: one superuser here, same migrations.
    await provisionDatabase(databaseUrl, { schemas: configs.map((c) => c.name) });
    const peers = subgraphUrls(process.env, configs);
    const modules = await Promise.all(configs.map(async (c) => ((await import(c.package)) as { subgraph: AnySubgraphModule }).subgraph));
    const running = await Promise.all(
      modules.map((m) =>
        m.start({ databaseUrl: databaseUrl!, infra, log: log.child({ subgraph: m.name }), providers, env: process.env, peers }),
      ),
    );
    servers.push(...running);
    const router = await startRouter({ config, infra, log: log.child({ component: 'router' }) });
    servers.push({ name: 'router', ...router });
    const mode = `${embedded ? 'embedded Postgres' : 'DATABASE_URL'}, ${config.REDIS_URL ? 'Redis' : 'in-process queues'}`;
    console.log(
      `\nFashionistar supergraph ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${mode})\n  router: ${router.url}\n  health: ${router.url.replace('/graphql', '/health')}\n`,
    );
  } catch (error) {
    log.error({ err: error }, 'start-up failed');
    await stopAll();
    process.exit(1);
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await stopAll();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

void main();
