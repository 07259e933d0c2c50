/**
 * One suite, run against the in-process and the Redis infrastructure, so the two cannot drift.
 * Redis must be reachable at REDIS_URL (default redis://127.0.0.1:6379); every run works under a
 * unique key prefix and deletes its keys afterwards.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createInfra, type Infra, type JobFailedHook, type PubSubSubscription } from '../src/infra';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN_PREFIX = `fsgtest:${randomBytes(4).toString('hex')}:`;
const TIMEOUT = { timeout: 5000 };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const TIMED_OUT = Symbol('timed out');

/** Races a pending `next()` against a timer; the promise is returned too so it can be reused. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function nextValue<P>(subscription: PubSubSubscription<P>, ms = 2000): Promise<P> {
  const result = await within(subscription.next(), ms);
  assert.notEqual(result, TIMED_OUT, 'expected a message');
  assert.ok(result !== TIMED_OUT && !result.done, 'expected a value, not the end of the subscription');
  return result.value;
}

interface FailedJob {
  name: string;
  jobId: string;
  message: string;
}

type MakeInfra = (onJobFailed?: JobFailedHook) => Infra;

function describeInfra(label: string, make: MakeInfra): void {
  describe(`infra (${label})`, () => {
    const failures: FailedJob[] = [];
    let infra: Infra;

    before(() => {
      infra = make((name, jobId, error) => failures.push({ name, jobId, message: error instanceof Error ? error.message : String(error) }));
    });
    after(() => infra.close());

    describe('pubsub', () => {
      it('delivers to every subscriber of a topic and not to other topics', TIMEOUT, async () => {
        const a1 = infra.pubsub.subscribe('t.a');
        const a2 = infra.pubsub.subscribe('t.a');
        const b = infra.pubsub.subscribe('t.b');
        try {
          await Promise.all([a1.ready, a2.ready, b.ready]);
          await infra.pubsub.publish('t.a', { n: 1, at: '2024-01-01' });
          assert.deepEqual(await nextValue(a1), { n: 1, at: '2024-01-01' });
          assert.deepEqual(await nextValue(a2), { n: 1, at: '2024-01-01' });

          const pendingB = b.next();
          assert.equal(await within(pendingB, 150), TIMED_OUT, 't.b must not receive t.a messages');
          await infra.pubsub.publish('t.b', 'for b');
          assert.deepEqual(await within(pendingB, 2000), { value: 'for b', done: false });
        } finally {
          await Promise.all([a1.return?.(), a2.return?.(), b.return?.()]);
        }
      });

      it('stops delivering after return() and resubscribes cleanly', TIMEOUT, async () => {
        const first = infra.pubsub.subscribe('t.c');
        const second = infra.pubsub.subscribe('t.c');
        await Promise.all([first.ready, second.ready]);
        const pendingFirst = first.next();
        assert.deepEqual(await first.return?.(), { value: undefined, done: true });
        assert.deepEqual(await pendingFirst, { value: undefined, done: true }, 'return() settles a pending next()');

        await infra.pubsub.publish('t.c', 2);
        assert.equal(await nextValue(second), 2);
        assert.deepEqual(await first.next(), { value: undefined, done: true });

        // The last local subscriber leaving drops the broker subscription; a new one must work.
        await second.return?.();
        const third = infra.pubsub.subscribe('t.c');
        try {
          await third.ready;
          await infra.pubsub.publish('t.c', 3);
          assert.equal(await nextValue(third), 3);
          assert.deepEqual(await second.next(), { value: undefined, done: true });
        } finally {
          await third.return?.();
        }
      });

      it('ends the iteration of for-await on break', TIMEOUT, async () => {
        const sub = infra.pubsub.subscribe('t.d');
        await sub.ready;
        await infra.pubsub.publish('t.d', 'x');
        await infra.pubsub.publish('t.d', 'y');
        const seen: unknown[] = [];
        for await (const payload of sub) {
          seen.push(payload);
          if (seen.length === 2) break;
        }
        assert.deepEqual(seen, ['x', 'y']);
        assert.deepEqual(await sub.next(), { value: undefined, done: true });
      });
    });

    describe('queues', () => {
      it('processes jobs with their data and ids', TIMEOUT, async () => {
        const seen: Array<{ data: unknown; jobId: string; attempt: number }> = [];
        infra.queues.process('q.data', async (data, meta) => {
          seen.push({ data, ...meta });
        });
        await infra.queues.add('q.data', { orderId: 'o1', items: [1, 2] });
        await infra.queues.add('q.data', { orderId: 'o2', items: [] });
        await infra.queues.idle();
        assert.deepEqual(
          seen.map((s) => s.data),
          [
            { orderId: 'o1', items: [1, 2] },
            { orderId: 'o2', items: [] },
          ],
        );
        assert.deepEqual(
          seen.map((s) => s.attempt),
          [1, 1],
        );
        assert.equal(new Set(seen.map((s) => s.jobId)).size, 2, 'each job gets its own id');
      });

      it('retries a failing job with back-off until it succeeds', TIMEOUT, async () => {
        const attempts: number[] = [];
        const times: number[] = [];
        infra.queues.process('q.retry', async (_data, { attempt }) => {
          attempts.push(attempt);
          times.push(Date.now());
          if (attempt < 3) throw new Error(`attempt ${attempt} fails`);
        });
        await infra.queues.add('q.retry', { x: 1 }, { attempts: 5, backoffMs: 40, jobId: 'r1' });
        await infra.queues.idle();
        assert.deepEqual(attempts, [1, 2, 3]);
        assert.ok(times[1] - times[0] >= 35, `first back-off waited ${times[1] - times[0]} ms`);
        assert.ok(times[2] - times[1] >= 75, `second back-off waited ${times[2] - times[1]} ms`);
        assert.deepEqual(
          failures.filter((f) => f.name === 'q.retry'),
          [],
        );
      });

      it('reports a job that used up its attempts, then accepts its id again', TIMEOUT, async () => {
        const runs: Array<{ ok: boolean; attempt: number }> = [];
        infra.queues.process('q.fail', async (data, { attempt }) => {
          const { ok } = data as { ok: boolean };
          runs.push({ ok, attempt });
          if (!ok) throw new Error('boom');
        });
        await infra.queues.add('q.fail', { ok: false }, { attempts: 2, backoffMs: 10, jobId: 'f1' });
        await infra.queues.idle();
        await waitFor(() => failures.some((f) => f.name === 'q.fail'));
        assert.deepEqual(
          failures.filter((f) => f.name === 'q.fail'),
          [{ name: 'q.fail', jobId: 'f1', message: 'boom' }],
        );

        await infra.queues.add('q.fail', { ok: true }, { jobId: 'f1' });
        await infra.queues.idle();
        assert.deepEqual(runs, [
          { ok: false, attempt: 1 },
          { ok: false, attempt: 2 },
          { ok: true, attempt: 1 },
        ]);
      });

      it('de-duplicates by jobId while waiting or active, and runs jobs added before process()', TIMEOUT, async () => {
        const seen: number[] = [];
        await infra.queues.add('q.dedup', { n: 1 }, { jobId: 'x' });
        await infra.queues.add('q.dedup', { n: 2 }, { jobId: 'x' });
        await infra.queues.add('q.dedup', { n: 3 }, { jobId: 'y' });
        await sleep(50);
        assert.equal(seen.length, 0, 'nothing runs before process()');
        infra.queues.process('q.dedup', async (data) => {
          const { n } = data as { n: number };
          seen.push(n);
          // While this job is active, its id is still taken.
          if (n === 1) await infra.queues.add('q.dedup', { n: 99 }, { jobId: 'x' });
        });
        await infra.queues.idle();
        assert.deepEqual([...seen].sort(), [1, 3]);

        // Once done, the id is free again.
        await infra.queues.add('q.dedup', { n: 4 }, { jobId: 'x' });
        await infra.queues.idle();
        assert.deepEqual([...seen].sort(), [1, 3, 4]);
      });

      it('runs a delayed job no earlier than delayMs', TIMEOUT, async () => {
        let ranAt = 0;
        infra.queues.process('q.delay', async () => {
          ranAt = Date.now();
        });
        const addedAt = Date.now();
        await infra.queues.add('q.delay', {}, { delayMs: 400 });
        await sleep(200);
        assert.equal(ranAt, 0, 'ran before its delay');
        await infra.queues.idle();
        // 2 ms of slack for timer rounding: Node may fire a timer a millisecond early.
        assert.ok(ranAt - addedAt >= 398, `ran after ${ranAt - addedAt} ms`);
      });

      it('idle() resolves at once when empty and waits for active jobs otherwise', TIMEOUT, async () => {
        const started = Date.now();
        await infra.queues.idle();
        assert.ok(Date.now() - started < 1000);

        let finished = false;
        infra.queues.process(
          'q.idle',
          async () => {
            await sleep(150);
            finished = true;
          },
          2,
        );
        await infra.queues.add('q.idle', {});
        await infra.queues.idle();
        assert.equal(finished, true);
      });
    });

    describe('kv', () => {
      it('gets, sets and expires values', TIMEOUT, async () => {
        assert.equal(await infra.kv.get('missing'), null);
        await infra.kv.set('k.keep', 'v1');
        await infra.kv.set('k.ttl', 'v2', 1);
        assert.equal(await infra.kv.get('k.keep'), 'v1');
        assert.equal(await infra.kv.get('k.ttl'), 'v2');
        await infra.kv.set('k.keep', 'v1b');
        assert.equal(await infra.kv.get('k.keep'), 'v1b');
        await sleep(1200);
        assert.equal(await infra.kv.get('k.ttl'), null);
        assert.equal(await infra.kv.get('k.keep'), 'v1b');
      });

      it('keeps sets of members', TIMEOUT, async () => {
        assert.deepEqual(await infra.kv.members('set.a'), []);
        await infra.kv.addToSet('set.a', 'x');
        await infra.kv.addToSet('set.a', 'y');
        await infra.kv.addToSet('set.a', 'x');
        assert.deepEqual((await infra.kv.members('set.a')).sort(), ['x', 'y']);
        assert.deepEqual(await infra.kv.members('set.b'), []);
      });

      it('answers the seconds left before a key expires', TIMEOUT, async () => {
        await infra.kv.set('ttl.a', 'v', 30);
        await infra.kv.set('ttl.forever', 'v');
        assert.ok([29, 30].includes(await infra.kv.ttl('ttl.a')));
        assert.equal(await infra.kv.ttl('ttl.forever'), 0);
        assert.equal(await infra.kv.ttl('ttl.missing'), 0);
      });

      it('deletes values', TIMEOUT, async () => {
        await infra.kv.set('k.del', 'v');
        await infra.kv.del('k.del');
        assert.equal(await infra.kv.get('k.del'), null);
        await infra.kv.del('k.del');
      });

      it('counts hits and denies past the limit', TIMEOUT, async () => {
        assert.equal(await infra.kv.count('rl.a'), 0);
        for (let n = 1; n <= 3; n++) {
          const result = await infra.kv.hit('rl.a', 3, 60);
          assert.deepEqual({ allowed: result.allowed, count: result.count }, { allowed: true, count: n });
          assert.ok(result.retryAfterSeconds > 0 && result.retryAfterSeconds <= 60);
        }
        const denied = await infra.kv.hit('rl.a', 3, 60);
        assert.equal(denied.allowed, false);
        assert.equal(denied.count, 4);
        assert.ok(denied.retryAfterSeconds > 0 && denied.retryAfterSeconds <= 60, `retryAfter ${denied.retryAfterSeconds}`);
        assert.equal(await infra.kv.count('rl.a'), 4);
        assert.equal(await infra.kv.count('rl.other'), 0);
      });

      it('starts a new window once the old one expires', TIMEOUT, async () => {
        assert.equal((await infra.kv.hit('rl.w', 1, 1)).allowed, true);
        const denied = await infra.kv.hit('rl.w', 1, 1);
        assert.equal(denied.allowed, false);
        assert.equal(denied.retryAfterSeconds, 1);
        await sleep(1200);
        assert.deepEqual(await infra.kv.hit('rl.w', 1, 1), { allowed: true, count: 1, retryAfterSeconds: 1 });
      });
    });
  });
}

async function waitFor(condition: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail('condition not met in time');
    await sleep(10);
  }
}

let infraCount = 0;
/** Each Redis infra gets its own prefix under the run prefix, so suites cannot see each other. */
const nextPrefix = (): string => `${RUN_PREFIX}${++infraCount}:`;

describeInfra('memory', (onJobFailed) => createInfra({ prefix: nextPrefix(), onJobFailed }));
describeInfra('redis', (onJobFailed) => createInfra({ redisUrl: REDIS_URL, prefix: nextPrefix(), onJobFailed }));

describe('redis prefixes', () => {
  it('isolate key-value entries, pub/sub and queues between prefixes, and share them within one', TIMEOUT, async () => {
    const a = createInfra({ redisUrl: REDIS_URL, prefix: `${RUN_PREFIX}iso-a:` });
    const b = createInfra({ redisUrl: REDIS_URL, prefix: `${RUN_PREFIX}iso-b:` });
    const a2 = createInfra({ redisUrl: REDIS_URL, prefix: `${RUN_PREFIX}iso-a:` });
    const subs: Array<PubSubSubscription<unknown>> = [];
    try {
      assert.equal(a.kind, 'redis');
      await a.kv.set('shared', 'from a');
      assert.equal(await b.kv.get('shared'), null);
      assert.equal(await a2.kv.get('shared'), 'from a', 'same prefix, same entries (control)');
      await b.kv.set('shared', 'from b');
      assert.equal(await a.kv.get('shared'), 'from a');
      await a.kv.hit('rl', 5, 60);
      assert.equal(await b.kv.count('rl'), 0);
      assert.equal(await a2.kv.count('rl'), 1);

      const onA2 = a2.pubsub.subscribe('topic');
      const onB = b.pubsub.subscribe('topic');
      subs.push(onA2, onB);
      await Promise.all([onA2.ready, onB.ready]);
      await a.pubsub.publish('topic', 'hello');
      assert.equal(await nextValue(onA2), 'hello', 'same prefix, same channels (control)');
      assert.equal(await within(onB.next(), 150), TIMED_OUT, 'another prefix must not receive it');

      const ranOnB: unknown[] = [];
      b.queues.process('iso.job', async (data) => {
        ranOnB.push(data);
      });
      const ranOnA: unknown[] = [];
      a.queues.process('iso.job', async (data) => {
        ranOnA.push(data);
      });
      await a.queues.add('iso.job', { from: 'a' });
      await a.queues.idle();
      assert.deepEqual(ranOnA, [{ from: 'a' }]);
      assert.deepEqual(ranOnB, []);
    } finally {
      await Promise.all(subs.map((s) => s.return?.()));
      await Promise.all([a.close(), b.close(), a2.close()]);
    }
  });
});

describe('redis pubsub', () => {
  it('shares one SUBSCRIBE per topic and drops it when the last local subscriber leaves', TIMEOUT, async () => {
    const prefix = `${RUN_PREFIX}subs:`;
    const infra = createInfra({ redisUrl: REDIS_URL, prefix });
    const numsub = async (): Promise<number> => {
      const reply = (await admin.call('PUBSUB', 'NUMSUB', `${prefix}topic`)) as [string, number];
      return Number(reply[1]);
    };
    try {
      const first = infra.pubsub.subscribe('topic');
      const second = infra.pubsub.subscribe('topic');
      await Promise.all([first.ready, second.ready]);
      assert.equal(await numsub(), 1);
      await first.return?.();
      await sleep(50);
      assert.equal(await numsub(), 1, 'still subscribed for the second subscriber');
      await second.return?.();
      const deadline = Date.now() + 2000;
      while ((await numsub()) !== 0 && Date.now() < deadline) await sleep(10);
      assert.equal(await numsub(), 0);
    } finally {
      await infra.close();
    }
  });
});

// Root hooks: fail fast when Redis is down, and remove every key this run created at the end.
let admin: Redis;
before(async () => {
  admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
  await admin.connect().catch((error: unknown) => assert.fail(`Redis is not reachable at ${REDIS_URL}: ${String(error)}`));
});
after(async () => {
  if (admin.status !== 'ready') return admin.disconnect();
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${RUN_PREFIX}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await admin.del(...keys);
  } while (cursor !== '0');
  await admin.quit();
});
