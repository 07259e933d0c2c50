/** Starts the router as its own process (containers). `npm start` runs it with every subgraph. */
import { createInfra, createLogger, requireSharedInfra, startTracing } from '@fashionistar/shared/edge';
import { loadRouterConfig } from './config';
import { startRouter } from './router';

async function main() {
  const config = loadRouterConfig();
  const log = createLogger('router', config.LOG_LEVEL);
  requireSharedInfra(config);
  // Before anything else runs, so every span has a provider (a no-op unless OTEL_* asks for it).
  const tracing = await startTracing('fashionistar-router');
  const infra = createInfra({ redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX, log });
  const router = await startRouter({ config, infra, log });
  const shutdown = async () => {
    await router.stop();
    await infra.close();
    await tracing?.shutdown();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
