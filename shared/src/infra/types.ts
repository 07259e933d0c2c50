/**
 * Contracts for the infrastructure every subgraph shares: pub/sub, job queues and a small
 * key-value store (rate limits, revoked sessions). Each has a Redis implementation (used when
 * `REDIS_URL` is set) and an in-process one (the embedded default), and one shared test suite
 * runs against both so they cannot drift apart.
 */

/** A map from topic name to the payload type published on it. */
export type TopicMap = Record<string, unknown>;

export interface PubSub<T extends TopicMap = TopicMap> {
  /** Publishes `payload` to every current subscriber of `topic` (fire and forget, at most once). */
  publish<K extends keyof T & string>(topic: K, payload: T[K]): Promise<void>;
  /**
   * Subscribes to `topic`. The iterator yields payloads published after the subscription is
   * ready (await `ready` before publishing if ordering matters); `return()` unsubscribes.
   */
  subscribe<K extends keyof T & string>(topic: K): PubSubSubscription<T[K]>;
  close(): Promise<void>;
}

export interface PubSubSubscription<P> extends AsyncIterableIterator<P> {
  /** Resolves once the subscription is registered with the broker. */
  ready: Promise<void>;
}

/** A map from job name to its data (plain JSON: ids and a serialized context, never entities). */
export type JobMap = Record<string, unknown>;

export interface JobOptions {
  /** A job with the same id as a waiting or active one is not added twice. */
  jobId?: string;
  /** Attempts in all, including the first. Default 5. */
  attempts?: number;
  /** Milliseconds before the first run. Default 0. */
  delayMs?: number;
  /** Base of the exponential back-off between attempts, in ms. Default 500. */
  backoffMs?: number;
}

export type JobHandler<D> = (data: D, meta: { jobId: string; attempt: number }) => Promise<void>;

export interface JobQueues<T extends JobMap = JobMap> {
  add<K extends keyof T & string>(name: K, data: T[K], options?: JobOptions): Promise<void>;
  /** Registers the handler for `name`; a thrown error retries with back-off until attempts run out. */
  process<K extends keyof T & string>(name: K, handler: JobHandler<T[K]>, concurrency?: number): void;
  /** Resolves when no job is waiting, delayed or active (tests and graceful shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
  /** Jobs per queue this process has used, by state (the `queue_jobs` metric). */
  counts?(): Promise<Record<string, QueueCounts>>;
}

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  /** Sets `key` to `value`; with `ttlSeconds` it expires. */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  del(key: string): Promise<void>;
  /**
   * Counts one hit on a fixed window of `windowSeconds` and answers whether the caller is still
   * within `limit`. `retryAfterSeconds` is how long until the window resets.
   */
  hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult>;
  /** Reads the current count without adding a hit. */
  count(key: string): Promise<number>;
  /** Seconds until `key` expires (rounded up); 0 when it is missing or never expires. */
  ttl(key: string): Promise<number>;
  /** Adds `member` to the set at `key` (no expiry). */
  addToSet(key: string, member: string): Promise<void>;
  /** The members of the set at `key`, in no particular order. */
  members(key: string): Promise<string[]>;
  /** Resolves when the store answers (Redis PING); rejects after `timeoutMs` otherwise. */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface RateLimitResult {
  allowed: boolean;
  count: number;
  retryAfterSeconds: number;
}

/** The infrastructure handed to every subgraph and the router. */
export interface Infra {
  kind: 'redis' | 'memory';
  pubsub: PubSub;
  queues: JobQueues;
  kv: KeyValueStore;
  close(): Promise<void>;
}
