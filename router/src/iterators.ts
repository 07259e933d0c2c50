/**
 * Hand-written async iterators for the subscription path.
 *
 * An `async function*` wrapper cannot be stopped while it is suspended in an `await` (a pending
 * `next()` of the iterator it wraps): its `return()` is queued behind that `next()`, so its
 * `finally` (which releases the upstream) runs only once the next event arrives — possibly never.
 * The iterators here act on `return()` at once: pending `next()` calls resolve with `done`, and
 * the upstream is released right away.
 */

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/** What graphql-ws and `for await` accept, with a `return()` that always exists and acts at once. */
export interface Subscription<T> extends AsyncIterableIterator<T> {
  next(): Promise<IteratorResult<T>>;
  return(): Promise<IteratorResult<T>>;
  throw(error?: unknown): Promise<IteratorResult<T>>;
}

interface Waiter<T> {
  resolve(result: IteratorResult<T>): void;
  reject(error: unknown): void;
}

/**
 * A push-based stream: the producer calls `push` and `end`; the consumer iterates.
 * `return()` (from the consumer) drops anything buffered, settles waiting `next()` calls with
 * `done` and runs `dispose` once. Values pushed before `end()` are still delivered.
 */
export class Channel<T> implements Subscription<T> {
  private readonly buffered: T[] = [];
  private readonly waiting: Array<(result: IteratorResult<T>) => void> = [];
  /** The producer has no more values. */
  private ended = false;
  /** The consumer has stopped (return/throw); `dispose` has been started. */
  private disposal: Promise<void> | null = null;

  constructor(private readonly dispose: () => unknown = () => undefined) {}

  push(value: T): void {
    if (this.ended || this.disposal) return;
    const waiter = this.waiting.shift();
    if (waiter) waiter({ value, done: false });
    else this.buffered.push(value);
  }

  /** No more values; the consumer gets what is buffered, then `done`. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const waiter of this.waiting.splice(0)) waiter(DONE);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffered.length > 0) return Promise.resolve({ value: this.buffered.shift() as T, done: false });
    if (this.ended) return Promise.resolve(DONE);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async return(): Promise<IteratorResult<T>> {
    await this.stop();
    return DONE;
  }

  async throw(error?: unknown): Promise<IteratorResult<T>> {
    await this.stop();
    throw error;
  }

  /** The consumer is gone: release everything now (idempotent). */
  stop(): Promise<void> {
    if (!this.disposal) {
      this.ended = true;
      this.buffered.length = 0;
      for (const waiter of this.waiting.splice(0)) waiter(DONE);
      this.disposal = settle(this.dispose);
    }
    return this.disposal;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

export interface MapOptions<T> {
  /** After mapping this source value, end the iteration (and release the source). */
  last?: (value: T) => boolean;
  /** Runs once when the iteration ends for any reason (return, source done, error, `last`). */
  onEnd?: () => unknown;
}

/**
 * `source` with each value mapped by `map` (which may be async). Values come out in order, one
 * `map` at a time. `return()` settles a pending `next()` with `done` at once — even while the
 * source has nothing to give or `map` is still running (its result is dropped) — and calls
 * `source.return()` and `onEnd` straight away. The source is also released when it ends, when
 * it or `map` throws (that `next()` rejects), and after a `last` value.
 */
export function mapIterator<T, U>(
  source: AsyncIterator<T>,
  map: (value: T) => U | Promise<U>,
  options: MapOptions<T> = {},
): Subscription<U> {
  let finishing: Promise<void> | null = null;
  const waiting = new Set<Waiter<U>>();
  // next() calls are served one after the other, so map runs for one value at a time.
  let tail: Promise<unknown> = Promise.resolve();

  const finish = (): Promise<void> => {
    if (!finishing) {
      for (const waiter of waiting) waiter.resolve(DONE);
      waiting.clear();
      // Not awaited in sequence: a source whose return() waits for its own pending next() must
      // not hold up onEnd.
      finishing = Promise.all([settle(() => source.return?.()), settle(() => options.onEnd?.())]).then(() => undefined);
    }
    return finishing;
  };

  const pull = async (): Promise<{ result: IteratorResult<U>; stop: boolean }> => {
    if (finishing) return { result: DONE, stop: false };
    const r = await source.next();
    if (finishing || r.done) return { result: DONE, stop: true };
    const value = await map(r.value);
    return { result: { value, done: false }, stop: options.last?.(r.value) ?? false };
  };

  const iterator: Subscription<U> = {
    next() {
      if (finishing) return Promise.resolve(DONE);
      return new Promise<IteratorResult<U>>((resolve, reject) => {
        const waiter: Waiter<U> = { resolve, reject };
        waiting.add(waiter);
        tail = tail.then(pull).then(
          ({ result, stop }) => {
            // Already answered `done` by finish() when the iteration was stopped meanwhile.
            if (waiting.delete(waiter)) resolve(result);
            if (stop) void finish();
          },
          (error: unknown) => {
            if (waiting.delete(waiter)) reject(error);
            void finish();
          },
        );
      });
    },
    async return() {
      await finish();
      return DONE;
    },
    async throw(error?: unknown) {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/** Runs `fn`, swallowing what it throws or rejects with: releasing resources must not fail a caller. */
async function settle(fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch {
    // Nothing to do: the resource is gone either way.
  }
}
