/** Starts the catalog subgraph as its own process (containers). `npm start` embeds it instead. */
import { createInfra, createLogger, requireSharedInfra } from '@fashionistar/shared';
import { loadCatalogConfig } from './config';
import { startCatalog } from './server';

async function main() {
  const config = loadCatalogConfig();
  const log = createLogger('catalog', config.LOG_LEVEL);
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is required to run the catalog subgraph on its own');
  requireSharedInfra(config);
  const infra = createInfra({ redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX });
  const peers = { vendors: process.env.VENDORS_URL ?? 'http://127.0.0.1:4003/graphql' };
  const server = await startCatalog({ config, databaseUrl: config.DATABASE_URL, infra, log, peers });
  const shutdown = async () => {
    await server.stop();
    await infra.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
