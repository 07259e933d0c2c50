/**
 * Entry point of the shared infrastructure: the contracts, both implementations, and
 * `createInfra`, which picks Redis when a URL is configured and in-process otherwise.
 */
import { MemoryJobQueues, MemoryKeyValueStore, MemoryPubSub, type JobFailedHook } from './memory';
import { BullJobQueues, RedisConnectionWatch, RedisKeyValueStore, RedisPubSub, type ConnectionLog } from './redis';
import type { Infra, JobQueues, KeyValueStore, PubSub } from './types';

export * from './types';
export * from './memory';
export * from './redis';

export interface CreateInfraOptions {
  /** When set (e.g. from `REDIS_URL`), everything runs on Redis; otherwise in-process. */
  redisUrl?: string;
  /**
   * Prepended to every Redis key and channel, e.g. `fsg:` (bull keys live under `fsg:bull:`,
   * key-value entries under `fsg:kv:`, channels are `fsg:<topic>`). Unused in memory.
   */
  prefix: string;
  /** Called once per job that has used up all its attempts. */
  onJobFailed?: JobFailedHook;
  /** Where Redis connection losses and recoveries are logged, once per change. Default: the console. */
  log?: ConnectionLog;
}

/**
 * For a process that runs alone (a container): in production the in-process fallback would give
 * each process its own revoked-session list and throttles, so Redis is required there.
 */
export function requireSharedInfra(config: { NODE_ENV: string; REDIS_URL?: string }): void {
  if (config.NODE_ENV === 'production' && !config.REDIS_URL) {
    throw new Error('REDIS_URL is required in production: processes must share sessions, throttles, queues and pub/sub');
  }
}

export function createInfra(options: CreateInfraOptions): Infra {
  const { redisUrl, prefix, onJobFailed } = options;
  const watch = new RedisConnectionWatch(options.log);
  let pubsub: PubSub;
  let queues: JobQueues;
  let kv: KeyValueStore;
  if (redisUrl) {
    pubsub = new RedisPubSub({ url: redisUrl, prefix, watch });
    queues = new BullJobQueues({ url: redisUrl, prefix, onFailed: onJobFailed, watch });
    // A sub-namespace keeps user keys from ever colliding with bull's `${prefix}bull:` keys.
    kv = new RedisKeyValueStore({ url: redisUrl, prefix: `${prefix}kv:`, watch });
  } else {
    pubsub = new MemoryPubSub();
    queues = new MemoryJobQueues(onJobFailed);
    kv = new MemoryKeyValueStore();
  }
  let closing: Promise<void> | undefined;
  return {
    kind: redisUrl ? 'redis' : 'memory',
    pubsub,
    queues,
    kv,
    // Queues first: their active jobs may still publish or touch the key-value store.
    close: () =>
      (closing ??= queues
        .close()
        .then(() => Promise.all([pubsub.close(), kv.close()]))
        .then(() => undefined)),
  };
}
