/** Starts the identity subgraph as its own process (containers). `npm start` embeds it instead. */
import { createInfra, createLogger, requireSharedInfra, providersFromEnv } from '@fashionistar/shared';
import { loadIdentityConfig } from './config';
import { startIdentity } from './server';

async function main() {
  const config = loadIdentityConfig();
  const log = createLogger('identity', config.LOG_LEVEL);
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is required to run the identity subgraph on its own');
  requireSharedInfra(config);
  const infra = createInfra({ redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX });
  const server = await startIdentity({ config, databaseUrl: config.DATABASE_URL, infra, log, providers: providersFromEnv() });
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
