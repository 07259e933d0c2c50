/** Starts the reviews subgraph as its own process (containers). `npm start` embeds it instead. */
import { createInfra, createLogger } from '@fashionistar/shared';
import { loadReviewsConfig } from './config';
import { startReviews } from './server';

async function main() {
  const config = loadReviewsConfig();
  const log = createLogger('reviews', config.LOG_LEVEL);
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is required to run the reviews subgraph on its own');
  const infra = createInfra({ redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX });
  const peers = { catalog: config.CATALOG_URL, vendors: config.VENDORS_URL };
  const server = await startReviews({ config, databaseUrl: config.DATABASE_URL, infra, log, peers });
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await server.stop();
    await infra.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
