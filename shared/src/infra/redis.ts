/**
 * Redis implementations of the infrastructure contracts, used when `REDIS_URL` is set so that
 * several processes (subgraphs, router, workers) share pub/sub, jobs and rate limits. Every key
 * and channel starts with the configured prefix so several stacks can share one Redis.
 */
import { createHash } from 'node:crypto';
import type Bull from 'bull';
import { Redis, type RedisOptions } from 'ioredis';
import { JOB_DEFAULTS, PushSubscription, checkConcurrency, secondsToMs, toCount, type JobFailedHook } from './memory';
import type {
  JobHandler,
  JobMap,
  JobOptions,
  JobQueues,
  KeyValueStore,
  PubSub,
  PubSubSubscription,
  QueueCounts,
  RateLimitResult,
  TopicMap,
} from './types';

/** Connection settings shared by the Redis implementations. */
export interface RedisInfraOptions {
  /** e.g. `redis://127.0.0.1:6379`. */
  url: string;
  /** Prepended to every key and channel, e.g. `fsg:`. */
  prefix: string;
  /** Receives errors that have no caller to reject (bad messages, queue errors). Default: console.error. */
  onError?: (error: unknown) => void;
  /** Reports the connections' state changes (see RedisConnectionWatch). Default: one of its own. */
  watch?: RedisConnectionWatch;
}

/** Where connection state changes are reported: a pino logger fits. */
export interface ConnectionLog {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

const consoleLog: ConnectionLog = {
  warn: (details, message) => console.warn('[infra]', message, JSON.stringify(details)),
  info: (details, message) => console.info('[infra]', message, JSON.stringify(details)),
};

/**
 * ioredis emits 'error' on every failed reconnect attempt (several a second while Redis is down,
 * for each of an infra's connections). The connections of one infra report here instead, and the
 * log gets one line when the first connection is lost and one when all are back (ready → error →
 * ready), never a line per retry.
 */
export class RedisConnectionWatch {
  private readonly down = new Set<Redis>();

  constructor(private readonly log: ConnectionLog = consoleLog) {}

  attach(client: Redis, role: string): Redis {
    client.on('error', (error: Error & { code?: string }) => {
      if (this.down.has(client)) return;
      const first = this.down.size === 0;
      this.down.add(client);
      if (first) this.log.warn({ redis: role, error: error.code ?? error.message }, 'Redis connection lost; reconnecting quietly');
    });
    client.on('ready', () => {
      if (!this.down.delete(client) || this.down.size > 0) return;
      this.log.info({ redis: role }, 'Redis connection is back');
    });
    return client;
  }

  /** True while any connection of this infra is down. */
  get isDown(): boolean {
    return this.down.size > 0;
  }
}

/** Errors bull re-emits for a lost connection, already reported once by the watch. */
function isConnectionError(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN'].includes(e?.code ?? '') ||
    /Connection is closed|Stream isn't writeable|connect ECONNREFUSED/.test(e?.message ?? '')
  );
}

const defaultOnError = (error: unknown): void => console.error('[infra]', error);

/** QUITs politely, but never waits more than `timeoutMs` (e.g. while Redis is unreachable). */
export async function closeRedis(client: Redis, timeoutMs = 1000): Promise<void> {
  if (client.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const result = await Promise.race([client.quit().catch(() => 'failed' as const), timeout]);
  clearTimeout(timer);
  if (result !== 'OK') client.disconnect();
}

interface TopicState {
  subscribers: Set<PushSubscription<unknown>>;
  /** The acknowledgement of this topic's SUBSCRIBE, shared by its local subscribers. */
  ready: Promise<void>;
}

/**
 * Pub/sub over Redis PUBLISH/SUBSCRIBE with JSON payloads on channels `${prefix}${topic}`.
 * Local subscribers of a topic share one Redis SUBSCRIBE, which is dropped (UNSUBSCRIBE) when the
 * last of them returns. Delivery is at most once: messages published while a process is not
 * subscribed are lost.
 */
export class RedisPubSub<T extends TopicMap = TopicMap> implements PubSub<T> {
  // Two connections because a connection that has issued SUBSCRIBE is in subscriber mode: Redis
  // (RESP2) then accepts only (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING and QUIT on it, so PUBLISH
  // must go through a second, ordinary connection.
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly topics = new Map<string, TopicState>();
  private readonly prefix: string;
  private readonly onError: (error: unknown) => void;
  private closed = false;

  constructor(options: RedisInfraOptions) {
    this.prefix = options.prefix;
    this.onError = options.onError ?? defaultOnError;
    const watch = options.watch ?? new RedisConnectionWatch();
    this.publisher = watch.attach(new Redis(options.url), 'pubsub');
    this.subscriber = watch.attach(new Redis(options.url), 'pubsub-subscriber');
    this.subscriber.on('message', (channel: string, message: string) => this.deliver(channel, message));
  }

  async publish<K extends keyof T & string>(topic: K, payload: T[K]): Promise<void> {
    if (this.closed) throw new Error('PubSub is closed');
    await this.publisher.publish(this.prefix + topic, JSON.stringify(payload) ?? 'null');
  }

  subscribe<K extends keyof T & string>(topic: K): PubSubSubscription<T[K]> {
    if (this.closed) throw new Error('PubSub is closed');
    let state = this.topics.get(topic);
    if (!state) {
      const ready = this.subscriber.subscribe(this.prefix + topic).then(() => undefined);
      state = { subscribers: new Set(), ready };
      this.topics.set(topic, state);
    }
    const { subscribers } = state;
    const subscription: PushSubscription<T[K]> = new PushSubscription<T[K]>(state.ready, () => {
      subscribers.delete(subscription as PushSubscription<unknown>);
      if (subscribers.size > 0 || this.topics.get(topic)?.subscribers !== subscribers) return;
      this.topics.delete(topic);
      // Commands on one connection run in order, so a later SUBSCRIBE to the same topic is
      // applied after this UNSUBSCRIBE and wins.
      if (!this.closed) this.subscriber.unsubscribe(this.prefix + topic).catch(this.onError);
    });
    subscribers.add(subscription as PushSubscription<unknown>);
    return subscription;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const state of [...this.topics.values()]) for (const subscription of [...state.subscribers]) subscription.end();
    this.topics.clear();
    await Promise.all([closeRedis(this.publisher), closeRedis(this.subscriber)]);
  }

  private deliver(channel: string, message: string): void {
    if (!channel.startsWith(this.prefix)) return;
    const state = this.topics.get(channel.slice(this.prefix.length));
    if (!state) return;
    let payload: unknown;
    try {
      payload = JSON.parse(message);
    } catch (error) {
      this.onError(new Error(`Dropped a non-JSON message on ${channel}`, { cause: error }));
      return;
    }
    for (const subscription of state.subscribers) subscription.push(payload);
  }
}

export interface BullJobQueuesOptions extends RedisInfraOptions {
  /** Called once per job that has used up all its attempts. */
  onFailed?: JobFailedHook;
  /** How often `idle()` polls the job counts, in ms. Default 50. */
  idlePollMs?: number;
}

/**
 * Job queues on bull: one bull `Queue` per job name, created on first use, with bull's key prefix
 * `${prefix}bull`. All queues share one command connection and one subscriber connection; each
 * queue gets its own blocking connection (bull blocks it on BRPOPLPUSH). Defaults as in
 * `JobOptions`: 5 attempts, 500 ms exponential back-off (bull's `delay * (2^made - 1)`), no
 * delay, concurrency 1. Completed jobs are removed; the last 1000 failed ones are kept.
 */
export class BullJobQueues<T extends JobMap = JobMap> implements JobQueues<T> {
  private readonly queues = new Map<string, Bull.Queue<unknown>>();
  private readonly handled = new Set<string>();
  private readonly blocking: Redis[] = [];
  private client?: Redis;
  private subscriber?: Redis;
  private closed = false;
  private readonly onError: (error: unknown) => void;
  private readonly watch: RedisConnectionWatch;

  constructor(private readonly options: BullJobQueuesOptions) {
    this.onError = options.onError ?? defaultOnError;
    this.watch = options.watch ?? new RedisConnectionWatch();
  }

  async add<K extends keyof T & string>(name: K, data: T[K], options: JobOptions = {}): Promise<void> {
    if (this.closed) throw new Error('JobQueues is closed');
    const queue = this.queue(name);
    if (options.jobId !== undefined) await this.forgetFinished(queue, options.jobId);
    await queue.add(data, {
      jobId: options.jobId,
      attempts: options.attempts ?? JOB_DEFAULTS.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs ?? JOB_DEFAULTS.backoffMs },
      delay: options.delayMs ?? JOB_DEFAULTS.delayMs,
      removeOnComplete: true,
      removeOnFail: 1000,
    });
  }

  process<K extends keyof T & string>(name: K, handler: JobHandler<T[K]>, concurrency: number = JOB_DEFAULTS.concurrency): void {
    checkConcurrency(concurrency);
    if (this.handled.has(name)) throw new Error(`Cannot define the same handler twice ${name}`);
    this.handled.add(name);
    const run = (job: Bull.Job<unknown>): Promise<void> =>
      handler(job.data as T[K], { jobId: String(job.id), attempt: job.attemptsMade + 1 });
    // The promise settles only when processing stops, so it is not awaited; it rejects when the
    // connection goes away during close(), which is expected then.
    this.queue(name)
      .process(concurrency, run)
      .catch((error: unknown) => {
        if (!this.closed) this.onError(error);
      });
  }

  async idle(): Promise<void> {
    const pollMs = this.options.idlePollMs ?? 50;
    while (!this.closed) {
      const counts = await Promise.all([...this.queues.values()].map((queue) => queue.getJobCounts()));
      if (counts.every((c) => c.waiting + c.active + c.delayed === 0)) return;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  async counts(): Promise<Record<string, QueueCounts>> {
    const entries = await Promise.all(
      [...this.queues].map(async ([name, queue]) => {
        const c = await queue.getJobCounts();
        return [name, { waiting: c.waiting, active: c.active, delayed: c.delayed, failed: c.failed }] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  /** Closes the queues (waiting for active jobs), then the connections they shared. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    // Blocking connections may sit in BRPOPLPUSH; there is nothing to flush, so drop them.
    for (const client of this.blocking) client.disconnect();
    await Promise.all([this.client, this.subscriber].map((client) => client && closeRedis(client)));
  }

  private queue(name: string): Bull.Queue<unknown> {
    let queue = this.queues.get(name);
    if (queue) return queue;
    // Required on first use: bull is large, and processes in in-process mode never need it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const BullQueue = require('bull') as typeof Bull;
    queue = new BullQueue<unknown>(name, {
      prefix: `${this.options.prefix}bull`,
      createClient: (type) => this.connection(type),
    });
    // bull re-emits connection errors on the queue; an EventEmitter without an 'error' listener
    // would throw them instead. Connection errors are the watch's to report, once.
    queue.on('error', (error: unknown) => {
      if (!isConnectionError(error)) this.onError(error);
    });
    queue.on('failed', (job: Bull.Job<unknown>, error: Error) => {
      // 'failed' fires for every failed attempt; only the last one is final.
      if (job.attemptsMade < (job.opts.attempts ?? 1)) return;
      try {
        this.options.onFailed?.(name, String(job.id), error);
      } catch (hookError) {
        this.onError(hookError);
      }
    });
    this.queues.set(name, queue);
    return queue;
  }

  /** bull's `createClient`: shares 'client' and 'subscriber' across queues, one 'bclient' each. */
  private connection(type: 'client' | 'subscriber' | 'bclient'): Redis {
    // bull requires these for its subscriber and blocking connections (commands must wait out
    // reconnects instead of failing), and they do no harm on the shared command connection.
    const options: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: false };
    if (type === 'client') return (this.client ??= this.watch.attach(new Redis(this.options.url, options), 'queues'));
    if (type === 'subscriber') return (this.subscriber ??= this.watch.attach(new Redis(this.options.url, options), 'queues-subscriber'));
    const client = this.watch.attach(new Redis(this.options.url, options), 'queues-blocking');
    this.blocking.push(client);
    return client;
  }

  /**
   * bull refuses a jobId that exists in any state, but the contract only de-duplicates waiting
   * and active jobs: drop a finished (kept failed) job so that its id can be reused.
   */
  private async forgetFinished(queue: Bull.Queue<unknown>, jobId: string): Promise<void> {
    const existing = await queue.getJob(jobId);
    if (!existing) return;
    const state = await existing.getState();
    if (state === 'failed' || state === 'completed') await existing.remove().catch(() => undefined);
  }
}

/** INCR, and start the window (PEXPIRE) only if the key has none yet; answers [count, pttl]. */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;
const HIT_SHA = createHash('sha1').update(HIT_SCRIPT).digest('hex');

/**
 * Key-value store on plain Redis strings under `${prefix}`. `hit` is a fixed-window counter
 * (INCR, with the expiry set atomically by a Lua script at the first hit of a window).
 */
export class RedisKeyValueStore implements KeyValueStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(options: RedisInfraOptions) {
    this.prefix = options.prefix;
    this.redis = (options.watch ?? new RedisConnectionWatch()).attach(new Redis(options.url), 'kv');
  }

  async ping(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer PING within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.redis.ping(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  get(key: string): Promise<string | null> {
    return this.redis.get(this.prefix + key);
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    if (ttlSeconds === undefined) await this.redis.set(this.prefix + key, value);
    else await this.redis.set(this.prefix + key, value, 'PX', secondsToMs(ttlSeconds, 'ttlSeconds'));
  }

  async del(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    const windowMs = secondsToMs(windowSeconds, 'windowSeconds');
    const reply = await this.evalHit(this.prefix + key, windowMs);
    if (!Array.isArray(reply) || typeof reply[0] !== 'number' || typeof reply[1] !== 'number') {
      throw new Error(`Unexpected reply from the rate-limit script: ${JSON.stringify(reply)}`);
    }
    const [count, ttlMs] = reply as [number, number];
    return { allowed: count <= limit, count, retryAfterSeconds: Math.ceil(ttlMs / 1000) };
  }

  async ttl(key: string): Promise<number> {
    const ms = await this.redis.pttl(this.prefix + key);
    return ms > 0 ? Math.ceil(ms / 1000) : 0;
  }

  async count(key: string): Promise<number> {
    const value = await this.redis.get(this.prefix + key);
    return value === null ? 0 : toCount(value);
  }

  async addToSet(key: string, member: string): Promise<void> {
    await this.redis.sadd(this.prefix + key, member);
  }

  members(key: string): Promise<string[]> {
    return this.redis.smembers(this.prefix + key);
  }

  close(): Promise<void> {
    return closeRedis(this.redis);
  }

  /** EVALSHA saves resending the script on every request; EVAL loads it after a restart/flush. */
  private async evalHit(key: string, windowMs: number): Promise<unknown> {
    try {
      return await this.redis.evalsha(HIT_SHA, 1, key, windowMs);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return this.redis.eval(HIT_SCRIPT, 1, key, windowMs);
    }
  }
}
