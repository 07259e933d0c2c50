import { commonSpec, loadConfig } from '../config';
import { subgraphUrls } from '../composition-config';
import { createInfra, requireSharedInfra } from '../infra/index';
import { createLogger } from '../logger';
import { startTracing } from '../observability/tracing';
import { providersFromEnv } from '../messaging/providers';
import type { AnySubgraphModule } from './define-subgraph';

/**
 * Runs one subgraph as its own process (a container): shared infrastructure from REDIS_URL
 * (required in production), the other subgraphs' URLs from their `<NAME>_URL` variables (default:
 * the loopback URLs of schema/subgraphs.json), and a graceful shutdown on SIGTERM/SIGINT that
 * stops taking work, lets running jobs finish, then closes the database.
 */
export function runStandalone(mod: AnySubgraphModule): void {
  const main = async () => {
    const config = loadConfig(commonSpec);
    const log = createLogger(mod.name, config.LOG_LEVEL);
    if (!config.DATABASE_URL) throw new Error(`DATABASE_URL is required to run the ${mod.name} subgraph on its own`);
    requireSharedInfra(config);
    // A no-op unless OTEL_EXPORTER_OTLP_ENDPOINT (or …_TRACES_ENDPOINT) is set.
    const tracing = await startTracing(`fashionistar-${mod.name}`);
    const infra = createInfra({ redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX, log });
    const peers = subgraphUrls(process.env);
    const server = await mod.start({
      databaseUrl: config.DATABASE_URL,
      infra,
      log,
      providers: providersFromEnv(),
      env: process.env,
      peers,
    });
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      await server.drain();
      await infra.close();
      await server.stop();
      await tracing?.shutdown();
      process.exit(0);
    };
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));
  };
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
