/**
 * The subscription path's iterators: stopping one releases its upstream at once, even while a
 * next() is waiting for an event that may never come (an async generator would wait for it).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FetchNode } from '@apollo/query-planner';
import type { ExecutionResult } from 'graphql';
import type { Client, Sink } from 'graphql-ws';
import { Channel, mapIterator } from '../src/iterators';
import { subscribeToPrimary } from '../src/subscription-executor';

/** An upstream that yields only what the test pushes and records being released. */
function upstream<T>() {
  const released: string[] = [];
  const channel = new Channel<T>(() => void released.push('disposed'));
  return { channel, released };
}

/** Resolves with 'pending' when `p` has not settled within `ms`. */
const within = <T>(p: Promise<T>, ms = 100): Promise<T | 'pending'> =>
  Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);

describe('Channel', () => {
  it('delivers pushed values in order, then done after end()', async () => {
    const { channel } = upstream<number>();
    const first = channel.next(); // waits
    channel.push(1);
    channel.push(2); // buffered
    channel.push(3);
    channel.end();
    channel.push(4); // ignored after end
    assert.deepEqual(await first, { value: 1, done: false });
    assert.deepEqual(await channel.next(), { value: 2, done: false });
    assert.deepEqual(await channel.next(), { value: 3, done: false });
    assert.deepEqual(await channel.next(), { value: undefined, done: true });
  });

  it('return() settles a waiting next() with done, drops the buffer and disposes once', async () => {
    const { channel, released } = upstream<number>();
    const waiting = channel.next();
    assert.deepEqual(await channel.return(), { value: undefined, done: true });
    assert.deepEqual(await within(waiting), { value: undefined, done: true });
    channel.push(1);
    assert.deepEqual(await channel.next(), { value: undefined, done: true });
    await channel.return();
    assert.deepEqual(released, ['disposed']);
  });
});

describe('mapIterator', () => {
  it('maps values in order and releases the source when it ends', async () => {
    const { channel, released } = upstream<number>();
    let ended = 0;
    const mapped = mapIterator(channel, async (n) => n * 10, { onEnd: () => ended++ });
    channel.push(1);
    channel.push(2);
    channel.end();
    const seen: number[] = [];
    for await (const v of mapped) seen.push(v);
    assert.deepEqual(seen, [10, 20]);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(released, ['disposed']);
    assert.equal(ended, 1);
  });

  it('return() answers a pending next() at once and releases the source, which never settles', async () => {
    let sourceReturned = 0;
    let ended = 0;
    // A source whose next() never settles (the subgraph sends nothing more).
    const source: AsyncIterator<number> = {
      next: () => new Promise(() => undefined),
      return: async () => {
        sourceReturned++;
        return { value: undefined, done: true };
      },
    };
    const mapped = mapIterator(source, (n) => n, { onEnd: () => ended++ });
    const pending = mapped.next();
    assert.deepEqual(await within(mapped.return()), { value: undefined, done: true });
    assert.deepEqual(await within(pending), { value: undefined, done: true });
    assert.equal(sourceReturned, 1);
    assert.equal(ended, 1);
    assert.deepEqual(await mapped.next(), { value: undefined, done: true });
    await mapped.return();
    assert.equal(ended, 1, 'onEnd runs once');
  });

  it('a source whose return() hangs holds up neither the pending next() nor onEnd', async () => {
    let ended = 0;
    const source: AsyncIterator<number> = {
      next: () => new Promise(() => undefined),
      // An async generator suspended in an await behaves like this.
      return: () => new Promise(() => undefined),
    };
    const mapped = mapIterator(source, (n) => n, { onEnd: () => ended++ });
    const pending = mapped.next();
    void mapped.return();
    assert.deepEqual(await within(pending), { value: undefined, done: true });
    assert.equal(ended, 1);
  });

  it('drops the result of a map still running when stopped', async () => {
    const { channel, released } = upstream<number>();
    let finishMap: (v: string) => void = () => undefined;
    const mapped = mapIterator(channel, () => new Promise<string>((r) => (finishMap = r)));
    channel.push(1);
    const pending = mapped.next();
    await new Promise((r) => setImmediate(r)); // map is running
    await mapped.return();
    finishMap('late');
    assert.deepEqual(await pending, { value: undefined, done: true });
    assert.deepEqual(released, ['disposed']);
  });

  it('ends after a `last` value, and on a map error (the next() rejects)', async () => {
    const a = upstream<number>();
    const lastOne = mapIterator(a.channel, (n) => n, { last: (n) => n === 2 });
    for (const n of [1, 2, 3]) a.channel.push(n);
    const seen: number[] = [];
    for await (const v of lastOne) seen.push(v);
    assert.deepEqual(seen, [1, 2]);
    assert.deepEqual(a.released, ['disposed']);

    const b = upstream<number>();
    const failing = mapIterator(b.channel, () => {
      throw new Error('boom');
    });
    b.channel.push(1);
    await assert.rejects(failing.next(), /boom/);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(b.released, ['disposed']);
    assert.deepEqual(await failing.next(), { value: undefined, done: true });
  });
});

describe('subscribeToPrimary', () => {
  const primary = {
    kind: 'Fetch',
    serviceName: 'identity',
    operation: 'subscription { x }',
    variableUsages: ['a'],
  } as unknown as FetchNode;

  /** A graphql-ws client double: records calls and hands the test the sink. */
  function fakeClient() {
    const calls: string[] = [];
    let sink: Sink<ExecutionResult> | null = null;
    let variables: unknown;
    const client = {
      subscribe(payload: { variables?: unknown }, s: Sink<ExecutionResult>) {
        calls.push('subscribe');
        variables = payload.variables;
        sink = s;
        return () => calls.push('unsubscribe');
      },
      async dispose() {
        calls.push('dispose');
      },
    } as unknown as Client;
    return { client, calls, sink: () => sink!, variables: () => variables };
  }

  it('passes only the variables the primary uses and completes + disposes on return()', async () => {
    const f = fakeClient();
    const events = subscribeToPrimary(f.client, primary, { a: 1, b: 2 });
    assert.deepEqual(f.variables(), { a: 1 });
    const pending = events.next();
    f.sink().next({ data: { x: 1 } });
    assert.deepEqual((await pending).value, { data: { x: 1 }, errors: undefined });
    const waiting = events.next();
    assert.deepEqual(await within(events.return()), { value: undefined, done: true });
    assert.deepEqual(await within(waiting), { value: undefined, done: true });
    assert.deepEqual(f.calls, ['subscribe', 'unsubscribe', 'dispose']);
  });

  it('turns a failure into one last event with errors', async () => {
    const f = fakeClient();
    const events = subscribeToPrimary(f.client, primary, {});
    f.sink().error([{ message: 'nope', extensions: { code: 'UNAUTHENTICATED' } }]);
    const first = await events.next();
    assert.equal(first.value?.errors?.[0]?.extensions.code, 'UNAUTHENTICATED');
    assert.equal((await events.next()).done, true);

    const g = fakeClient();
    const closed = subscribeToPrimary(g.client, primary, {});
    g.sink().error({ code: 1006 });
    assert.equal((await closed.next()).value?.errors?.[0]?.extensions.code, 'SUBGRAPH_UNAVAILABLE');
    assert.equal((await closed.next()).done, true);
  });
});
