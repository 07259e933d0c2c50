/**
 * The transactional outbox against real Postgres, with both the Redis and the in-process infra:
 * only committed events are delivered, to every subscribed consumer, applied once each, and an
 * unreachable queue loses nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { createDataSource, initializeAndMigrate } from '../src/db/data-source';
import { inTransaction, type BaseContext } from '../src/context';
import { OUTBOX_SQL, OutboxRelay, consumeEvents, emitEvent, type EventEnvelope } from '../src/events/outbox';
import { defineEvent, type EventContract } from '../src/contracts/event';
import type { Infra, JobQueues } from '../src/infra/types';
import { createLogger } from '../src/logger';
import { createTestDatabase, createTestInfra, eventually, testContext, type TestDatabase } from '../src/testing';

const log = createLogger('outbox-test', 'silent');
const TIMEOUT = { timeout: 10_000 };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** A test event contract (payloads of any shape). */
const ev = (type: string, version = 1) => defineEvent<Record<string, unknown>>()(type, version);

class OutboxInit1700000000001 implements MigrationInterface {
  name = 'OutboxInit1700000000001';
  async up(q: QueryRunner): Promise<void> {
    for (const sql of OUTBOX_SQL.up) await q.query(sql);
    // What a consumer's handler writes, to see whether an event was applied (and rolled back).
    await q.query(`CREATE TABLE applied (consumer text NOT NULL, event_id uuid NOT NULL, attempt integer NOT NULL)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE applied`);
    for (const sql of OUTBOX_SQL.down) await q.query(sql);
  }
}

/** The infra with every job run counted per job name (delegates everything else). */
function countingInfra(inner: Infra): { infra: Infra; runs: Map<string, number> } {
  const runs = new Map<string, number>();
  const queues: JobQueues = {
    add: (name, data, options) => inner.queues.add(name, data, options),
    process: (name, handler, concurrency) =>
      inner.queues.process(
        name,
        async (data, meta) => {
          runs.set(name, (runs.get(name) ?? 0) + 1);
          await handler(data, meta);
        },
        concurrency,
      ),
    idle: () => inner.queues.idle(),
    close: () => inner.queues.close(),
  };
  return { infra: { kind: inner.kind, pubsub: inner.pubsub, kv: inner.kv, queues, close: () => inner.close() }, runs };
}

/** The same infra, except that adding a job fails as if Redis were unreachable. */
function queueDown(inner: Infra): Infra {
  const queues: JobQueues = {
    add: async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    },
    process: (name, handler, concurrency) => inner.queues.process(name, handler, concurrency),
    idle: () => inner.queues.idle(),
    close: async () => undefined,
  };
  return { kind: inner.kind, pubsub: inner.pubsub, kv: inner.kv, queues, close: async () => undefined };
}

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db?.drop();
});

for (const kind of ['memory', 'redis'] as const) {
  describe(`outbox (${kind})`, () => {
    let ds: DataSource;
    let infra: Infra;
    let runs: Map<string, number>;
    let relay: OutboxRelay;

    const ctx = (): BaseContext => testContext({ em: ds.manager, infra });
    /** This file's consumers and what is routed to each (filled by `consumer`; the relays read it per batch). */
    const routes: Record<string, EventContract[]> = {};

    /** Registers `consumer` for `type`, recording every envelope its handler applies. */
    async function consumer(name: string, type: string, handle?: (e: EventEnvelope, em: EntityManager, call: number) => Promise<void>) {
      const seen: EventEnvelope[] = [];
      let calls = 0;
      routes[name] = [ev(type, type === 'test.delivered' ? 2 : 1)];
      await consumeEvents({
        dataSource: ds,
        infra,
        log,
        routes,
        consumer: name,
        handlers: {
          [type]: async (event: EventEnvelope, em: EntityManager) => {
            calls++;
            await em.query(`INSERT INTO applied (consumer, event_id, attempt) VALUES ($1, $2, $3)`, [name, event.id, calls]);
            await handle?.(event, em, calls);
            seen.push(event);
          },
        },
      });
      return { seen, calls: () => calls };
    }

    const appliedRows = async (name: string, eventId: string): Promise<number> =>
      Number((await ds.query(`SELECT count(*)::int AS n FROM applied WHERE consumer = $1 AND event_id = $2`, [name, eventId]))[0].n);
    const processedRows = async (name: string, eventId: string): Promise<number> =>
      Number(
        (await ds.query(`SELECT count(*)::int AS n FROM processed_event WHERE consumer = $1 AND event_id = $2`, [name, eventId]))[0].n,
      );
    const pending = async (): Promise<number> =>
      Number((await ds.query(`SELECT count(*)::int AS n FROM outbox_event WHERE relayed_at IS NULL`))[0].n);

    before(async () => {
      const counted = countingInfra(createTestInfra(kind));
      infra = counted.infra;
      runs = counted.runs;
      ds = createDataSource({ url: db.url, schema: `outbox_${kind}`, entities: [], migrations: [OutboxInit1700000000001], poolSize: 5 });
      await initializeAndMigrate(ds);
      relay = new OutboxRelay(ds, infra, `outbox_${kind}`, log, routes);
    });
    after(async () => {
      await relay?.stop();
      await infra?.close();
      await ds?.destroy();
    });

    it('does not store or deliver an event whose transaction rolls back', TIMEOUT, async () => {
      const c = await consumer('c-rollback', 'test.rolledBack');
      const base = ctx();
      await assert.rejects(
        inTransaction(base, async (tx) => {
          await emitEvent(tx, ev('test.rolledBack'), { n: 1 });
          assert.equal(tx.afterCommit.length, 1, 'the relay is nudged only after commit');
          throw new Error('business rule failed');
        }),
        /business rule failed/,
      );
      assert.deepEqual(await ds.query(`SELECT id FROM outbox_event WHERE type = 'test.rolledBack'`), []);
      assert.equal(await relay.flush(), 0);
      await infra.queues.idle();
      await sleep(100);
      assert.equal(c.calls(), 0);
      assert.equal(runs.get('event:c-rollback') ?? 0, 0);
    });

    it('delivers a committed event with its envelope', TIMEOUT, async () => {
      const c = await consumer('c-deliver', 'test.delivered');
      const before = Date.now();
      const id = await inTransaction(ctx(), (tx) => emitEvent(tx, ev('test.delivered', 2), { orderId: 'o-1', items: [1, 2], note: null }));
      const [row] = await ds.query(`SELECT type, version, relayed_at FROM outbox_event WHERE id = $1`, [id]);
      assert.deepEqual({ type: row.type, version: row.version }, { type: 'test.delivered', version: 2 });
      assert.equal(await relay.flush(), 1);
      const [relayed] = await ds.query(`SELECT relayed_at FROM outbox_event WHERE id = $1`, [id]);
      assert.ok(relayed.relayed_at instanceof Date, 'marked relayed');

      await eventually(async () => c.seen.length === 1);
      const event = c.seen[0];
      assert.deepEqual(
        { ...event, occurredAt: undefined },
        {
          id,
          type: 'test.delivered',
          version: 2,
          occurredAt: undefined,
          source: `outbox_${kind}`,
          payload: { orderId: 'o-1', items: [1, 2], note: null },
        },
      );
      assert.match(event.occurredAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(Math.abs(Date.parse(event.occurredAt) - before) < 60_000);
      // The handler saw the event inside the consumer's transaction; wait for that job to commit.
      await infra.queues.idle();
      assert.equal(await processedRows('c-deliver', id), 1);
      assert.equal(await relay.flush(), 0, 'nothing left to relay');
    });

    it('delivers an event to every consumer of its type, and not to others', TIMEOUT, async () => {
      const a = await consumer('c-fanout-a', 'test.fanout');
      const b = await consumer('c-fanout-b', 'test.fanout');
      const other = await consumer('c-other', 'test.other');
      const id = await inTransaction(ctx(), (tx) => emitEvent(tx, ev('test.fanout'), { x: 1 }));
      assert.equal(await relay.flush(), 1);
      await eventually(async () => a.seen.length === 1 && b.seen.length === 1);
      assert.equal(a.seen[0].id, id);
      assert.equal(b.seen[0].id, id);
      await infra.queues.idle();
      assert.equal(other.calls(), 0);
      assert.equal(await appliedRows('c-fanout-a', id), 1);
      assert.equal(await appliedRows('c-fanout-b', id), 1);
    });

    it('applies a redelivered event once', TIMEOUT, async () => {
      const c = await consumer('c-dup', 'test.dup');
      const id = await inTransaction(ctx(), (tx) => emitEvent(tx, ev('test.dup'), { x: 1 }));
      assert.equal(await relay.flush(), 1);
      await eventually(async () => c.seen.length === 1);
      await infra.queues.idle();

      // As if a relay crashed after enqueueing but before marking the row relayed.
      await ds.query(`UPDATE outbox_event SET relayed_at = NULL WHERE id = $1`, [id]);
      assert.equal(await relay.flush(), 1);
      await eventually(async () => runs.get('event:c-dup') === 2);
      await infra.queues.idle();
      assert.equal(c.calls(), 1, 'the handler ran once');
      assert.equal(await appliedRows('c-dup', id), 1);
      assert.equal(await processedRows('c-dup', id), 1);
    });

    it('retries a handler that fails once and applies the event exactly once', TIMEOUT, async () => {
      const c = await consumer('c-retry', 'test.retry', async (_event, _em, call) => {
        if (call === 1) throw new Error('deadlock detected (once)');
      });
      const id = await inTransaction(ctx(), (tx) => emitEvent(tx, ev('test.retry'), { x: 1 }));
      assert.equal(await relay.flush(), 1);
      await eventually(async () => c.seen.length === 1);
      await infra.queues.idle();
      assert.equal(c.calls(), 2);
      assert.equal(runs.get('event:c-retry'), 2);
      // The failed attempt's writes (applied, processed_event) rolled back with it.
      assert.deepEqual(await ds.query(`SELECT attempt FROM applied WHERE consumer = 'c-retry' AND event_id = $1`, [id]), [{ attempt: 2 }]);
      assert.equal(await processedRows('c-retry', id), 1);
    });

    it('keeps events pending while the queue is down and relays them later', TIMEOUT, async () => {
      const c = await consumer('c-outage', 'test.outage');
      const ids = [
        await inTransaction(ctx(), (tx) => emitEvent(tx, ev('test.outage'), { n: 1 })),
        await inTransaction(ctx(), (tx) => emitEvent(tx, ev('test.outage'), { n: 2 })),
      ];
      const down = new OutboxRelay(ds, queueDown(infra), `outbox_${kind}`, log, routes);
      await assert.rejects(down.flush(), /ECONNREFUSED/);
      await assert.rejects(down.flush(), /ECONNREFUSED/);
      assert.equal(await pending(), 2);
      await sleep(100);
      assert.equal(c.calls(), 0);

      assert.equal(await relay.flush(), 2);
      assert.equal(await pending(), 0);
      await eventually(async () => c.seen.length === 2);
      assert.deepEqual(c.seen.map((e) => e.id).sort(), [...ids].sort());
      assert.deepEqual(c.seen.map((e) => (e.payload as { n: number }).n).sort(), [1, 2]);
    });

    it('a started relay is nudged by the commit, without waiting for its poll', TIMEOUT, async () => {
      const c = await consumer('c-kick', 'test.kick');
      const live = new OutboxRelay(ds, infra, `outbox_${kind}`, log, routes, 60_000);
      live.start();
      try {
        await sleep(50); // let the first (immediate) poll finish
        const id = await inTransaction(ctx(), (tx) => emitEvent(tx, ev('test.kick'), {}));
        await eventually(async () => c.seen.length === 1, 3000);
        assert.equal(c.seen[0].id, id);
      } finally {
        await live.stop();
      }
      // A stopped relay is no longer nudged.
      await inTransaction(ctx(), (tx) => emitEvent(tx, ev('test.kick'), {}));
      await sleep(200);
      assert.equal(c.seen.length, 1);
      assert.equal(await pending(), 1);
      assert.equal(await relay.flush(), 1);
      await eventually(async () => c.seen.length === 2);
    });
  });
}

describe('event routes', () => {
  it('refuses at start-up a consumer that handles an event type not routed to it, or misses one routed to it', async () => {
    const infra = createTestInfra('memory');
    const routes = { listener: [ev('test.routed')] };
    const handle = async () => undefined;
    const start = (consumer: string, types: string[]) =>
      consumeEvents({
        dataSource: {} as DataSource,
        infra,
        log,
        routes,
        consumer: consumer as 'listener',
        handlers: Object.fromEntries(types.map((t) => [t, handle])) as never,
      });
    await assert.rejects(start('listener', ['test.routed', 'test.unrouted']), /handles test\.unrouted, which no route delivers to it/);
    await assert.rejects(start('listener', []), /has no handler for test\.routed/);
    await assert.rejects(start('stranger', ['test.routed']), /"stranger" is not declared/);
    await start('listener', ['test.routed']);
    await infra.close();
  });
});
