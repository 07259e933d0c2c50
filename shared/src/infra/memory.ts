/**
 * In-process implementations of the infrastructure contracts, used when no `REDIS_URL` is set
 * (embedded mode, tests). They mirror the Redis ones closely enough that the shared test suite
 * in `shared/test/infra.test.ts` passes against both; notably payloads and job data are passed
 * through JSON so that code which accidentally relies on object identity or on non-JSON values
 * (Dates, class instances) fails here as it would against Redis.
 */
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

/** Defaults shared by both job queue implementations (see `JobOptions`). */
export const JOB_DEFAULTS = { attempts: 5, delayMs: 0, backoffMs: 500, concurrency: 1 } as const;

/** Called once a job has failed its last attempt. */
export type JobFailedHook = (name: string, jobId: string, error: unknown) => void;

/** Round-trips a value through JSON, as a Redis transport would (`undefined` becomes `null`). */
export function jsonCopy<T>(value: T): T {
  const text = JSON.stringify(value) as string | undefined;
  return (text === undefined ? null : JSON.parse(text)) as T;
}

/** Validates a TTL / window length and converts it to milliseconds. */
export function secondsToMs(seconds: number, what: string): number {
  if (!Number.isFinite(seconds) || seconds <= 0) throw new RangeError(`${what} must be a positive number of seconds, got ${seconds}`);
  return Math.max(1, Math.round(seconds * 1000));
}

/** Validates a concurrency argument the way bull does (positive integer). */
export function checkConcurrency(concurrency: number): number {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  return concurrency;
}

/**
 * A push-based async iterator: the broker side calls `push`, the consumer side awaits `next`.
 * Payloads that arrive while nobody is waiting are buffered (unbounded: a subscriber that stops
 * reading should `return()`). Shared by the memory and Redis pub/sub.
 */
export class PushSubscription<P> implements PubSubSubscription<P> {
  readonly ready: Promise<void>;
  private readonly buffered: P[] = [];
  private readonly waiting: Array<(result: IteratorResult<P>) => void> = [];
  private ended = false;

  /** `onEnd` runs once, on the first `return()` (or `end()` from the owner). */
  constructor(
    ready: Promise<void>,
    private readonly onEnd: () => void,
  ) {
    // Mark the promise handled so an unobserved broker failure is not an unhandled rejection;
    // callers that await `ready` still see the error.
    ready.catch(() => undefined);
    this.ready = ready;
  }

  push(payload: P): void {
    if (this.ended) return;
    const resolve = this.waiting.shift();
    if (resolve) resolve({ value: payload, done: false });
    else this.buffered.push(payload);
  }

  next(): Promise<IteratorResult<P>> {
    if (this.buffered.length > 0) return Promise.resolve({ value: this.buffered.shift() as P, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  return(): Promise<IteratorResult<P>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Ends the iteration: drops buffered payloads, settles pending `next()` calls, unsubscribes. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.buffered.length = 0;
    for (const resolve of this.waiting.splice(0)) resolve({ value: undefined, done: true });
    this.onEnd();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * In-process pub/sub: a map of topic to subscribers. Delivery is synchronous with `publish`;
 * `ready` resolves immediately because there is no broker to register with.
 */
export class MemoryPubSub<T extends TopicMap = TopicMap> implements PubSub<T> {
  private readonly topics = new Map<string, Set<PushSubscription<unknown>>>();
  private closed = false;

  async publish<K extends keyof T & string>(topic: K, payload: T[K]): Promise<void> {
    if (this.closed) throw new Error('PubSub is closed');
    const subscribers = this.topics.get(topic);
    if (!subscribers) return;
    const copy = jsonCopy(payload);
    for (const subscriber of subscribers) subscriber.push(copy);
  }

  subscribe<K extends keyof T & string>(topic: K): PubSubSubscription<T[K]> {
    if (this.closed) throw new Error('PubSub is closed');
    const subscribers = this.topics.get(topic) ?? new Set<PushSubscription<unknown>>();
    this.topics.set(topic, subscribers);
    const subscription: PushSubscription<T[K]> = new PushSubscription<T[K]>(Promise.resolve(), () => {
      subscribers.delete(subscription as PushSubscription<unknown>);
      if (subscribers.size === 0 && this.topics.get(topic) === subscribers) this.topics.delete(topic);
    });
    subscribers.add(subscription as PushSubscription<unknown>);
    return subscription;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const subscribers of [...this.topics.values()]) for (const subscription of [...subscribers]) subscription.end();
    this.topics.clear();
  }
}

interface MemoryJob {
  id: string;
  data: unknown;
  /** Attempts already made (the next run is attempt `made + 1`). */
  made: number;
  attempts: number;
  backoffMs: number;
}

interface JobLane {
  handler?: JobHandler<unknown>;
  concurrency: number;
  ready: MemoryJob[];
  delayed: Map<MemoryJob, NodeJS.Timeout>;
  active: Set<Promise<void>>;
  /** Ids of waiting, delayed or active jobs, for `jobId` de-duplication. */
  ids: Set<string>;
}

/**
 * In-process job runner with the same semantics as the bull-backed one: per-name handlers and
 * concurrency (default 1), `jobId` de-duplication while a job is waiting, delayed or active,
 * retries with exponential back-off `backoffMs * 2^(attempt - 1)` (defaults: 5 attempts, 500 ms).
 * Jobs added before `process()` wait for it. Jobs live in memory only: they are lost on exit.
 */
export class MemoryJobQueues<T extends JobMap = JobMap> implements JobQueues<T> {
  private readonly lanes = new Map<string, JobLane>();
  private readonly idleWaiters: Array<() => void> = [];
  private nextId = 1;
  private closed = false;

  /** @param onFailed called once per job that has used up all its attempts. */
  constructor(private readonly onFailed?: JobFailedHook) {}

  async add<K extends keyof T & string>(name: K, data: T[K], options: JobOptions = {}): Promise<void> {
    if (this.closed) throw new Error('JobQueues is closed');
    const lane = this.lane(name);
    const id = options.jobId ?? String(this.nextId++);
    if (lane.ids.has(id)) return;
    lane.ids.add(id);
    const job: MemoryJob = {
      id,
      data: jsonCopy(data),
      made: 0,
      attempts: options.attempts ?? JOB_DEFAULTS.attempts,
      backoffMs: options.backoffMs ?? JOB_DEFAULTS.backoffMs,
    };
    this.schedule(name, lane, job, options.delayMs ?? JOB_DEFAULTS.delayMs);
  }

  process<K extends keyof T & string>(name: K, handler: JobHandler<T[K]>, concurrency: number = JOB_DEFAULTS.concurrency): void {
    const lane = this.lane(name);
    if (lane.handler) throw new Error(`Cannot define the same handler twice ${name}`);
    lane.concurrency = checkConcurrency(concurrency);
    lane.handler = handler as JobHandler<unknown>;
    // Deferred so that process() never runs a handler synchronously inside the caller.
    setImmediate(() => this.drain(name, lane));
  }

  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async counts(): Promise<Record<string, QueueCounts>> {
    const out: Record<string, QueueCounts> = {};
    // In process, a job that used up its attempts is gone (onFailed saw it): no failed count.
    for (const [name, lane] of this.lanes)
      out[name] = { waiting: lane.ready.length, active: lane.active.size, delayed: lane.delayed.size, failed: 0 };
    return out;
  }

  /** Stops accepting and starting jobs, drops waiting and delayed ones, and waits for active ones. */
  async close(): Promise<void> {
    this.closed = true;
    const active: Promise<void>[] = [];
    for (const lane of this.lanes.values()) {
      for (const timer of lane.delayed.values()) clearTimeout(timer);
      lane.delayed.clear();
      lane.ready.length = 0;
      active.push(...lane.active);
    }
    await Promise.all(active);
    this.checkIdle();
  }

  private lane(name: string): JobLane {
    let lane = this.lanes.get(name);
    if (!lane) {
      lane = { concurrency: JOB_DEFAULTS.concurrency, ready: [], delayed: new Map(), active: new Set(), ids: new Set() };
      this.lanes.set(name, lane);
    }
    return lane;
  }

  private schedule(name: string, lane: JobLane, job: MemoryJob, delayMs: number): void {
    if (delayMs > 0) {
      const timer = setTimeout(() => {
        lane.delayed.delete(job);
        lane.ready.push(job);
        this.drain(name, lane);
      }, delayMs);
      lane.delayed.set(job, timer);
    } else {
      lane.ready.push(job);
      setImmediate(() => this.drain(name, lane));
    }
  }

  private drain(name: string, lane: JobLane): void {
    while (!this.closed && lane.handler && lane.active.size < lane.concurrency && lane.ready.length > 0) {
      const job = lane.ready.shift() as MemoryJob;
      const run: Promise<void> = this.run(name, lane, lane.handler, job).finally(() => {
        lane.active.delete(run);
        this.drain(name, lane);
        this.checkIdle();
      });
      lane.active.add(run);
    }
  }

  private async run(name: string, lane: JobLane, handler: JobHandler<unknown>, job: MemoryJob): Promise<void> {
    const attempt = ++job.made;
    try {
      await handler(job.data, { jobId: job.id, attempt });
      lane.ids.delete(job.id);
    } catch (error) {
      if (attempt < job.attempts && !this.closed) {
        this.schedule(name, lane, job, job.backoffMs * 2 ** (attempt - 1));
        return;
      }
      lane.ids.delete(job.id);
      this.reportFailure(name, job.id, error);
    }
  }

  private reportFailure(name: string, jobId: string, error: unknown): void {
    try {
      this.onFailed?.(name, jobId, error);
    } catch {
      // A broken failure hook must not take the runner down with it.
    }
  }

  private isIdle(): boolean {
    for (const lane of this.lanes.values()) {
      if (lane.ready.length > 0 || lane.delayed.size > 0 || lane.active.size > 0) return false;
    }
    return true;
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

interface Entry {
  value: string;
  /** Epoch ms after which the entry is gone; undefined means no expiry. */
  expiresAt?: number;
}

/** How many writes between sweeps of expired entries (reads expire lazily in between). */
const SWEEP_EVERY = 1000;

/**
 * In-process key-value store: a Map with expiry timestamps, expired lazily on read and swept
 * every {@link SWEEP_EVERY} writes so unread keys cannot pile up. `hit` is a fixed-window counter
 * stored under the key itself, as the Redis version does with INCR.
 */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly entries = new Map<string, Entry>();
  private readonly sets = new Map<string, Set<string>>();
  private writes = 0;

  async addToSet(key: string, member: string): Promise<void> {
    let set = this.sets.get(key);
    if (!set) this.sets.set(key, (set = new Set()));
    set.add(member);
  }

  async members(key: string): Promise<string[]> {
    return [...(this.sets.get(key) ?? [])];
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    const expiresAt = ttlSeconds === undefined ? undefined : Date.now() + secondsToMs(ttlSeconds, 'ttlSeconds');
    this.write(key, { value, expiresAt });
  }

  async del(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    const windowMs = secondsToMs(windowSeconds, 'windowSeconds');
    const now = Date.now();
    const entry = this.live(key);
    const count = (entry ? toCount(entry.value) : 0) + 1;
    // The window starts at the first hit; a counter without expiry (set() without ttl) gets one,
    // like the Redis script does.
    const expiresAt = entry?.expiresAt ?? now + windowMs;
    this.write(key, { value: String(count), expiresAt });
    return { allowed: count <= limit, count, retryAfterSeconds: Math.ceil((expiresAt - now) / 1000) };
  }

  async ttl(key: string): Promise<number> {
    const expiresAt = this.live(key)?.expiresAt;
    return expiresAt === undefined ? 0 : Math.max(0, Math.ceil((expiresAt - Date.now()) / 1000));
  }

  async count(key: string): Promise<number> {
    const entry = this.live(key);
    return entry ? toCount(entry.value) : 0;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.entries.clear();
    this.sets.clear();
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private write(key: string, entry: Entry): void {
    this.entries.set(key, entry);
    if (++this.writes % SWEEP_EVERY !== 0) return;
    const now = Date.now();
    for (const [k, e] of this.entries) if (e.expiresAt !== undefined && e.expiresAt <= now) this.entries.delete(k);
  }
}

/** Parses a counter the way Redis INCR does: anything but an integer is an error. */
export function toCount(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || !/^-?\d+$/.test(value)) throw new Error('ERR value is not an integer or out of range');
  return n;
}
