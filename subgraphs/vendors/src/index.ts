/** Starts the vendors subgraph as its own process (containers). `npm start` embeds it instead. */
import { createInfra, createLogger } from '@fashionistar/shared';
import { loadVendorsConfig } from './config';
import { startVendors } from './server';

async function main() {
  const config = loadVendorsConfig();
  const log = createLogger('vendors', config.LOG_LEVEL);
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is required to run the vendors subgraph on its own');
  const infra = createInfra({ redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX });
  const server = await startVendors({ config, databaseUrl: config.DATABASE_URL, infra, log });
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
