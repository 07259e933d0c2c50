import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { BaseContext } from '../context';
import type { Infra } from '../infra/types';
import type { Logger } from '../logger';
import type { EventContract, EventRoutes, PayloadOf } from '../contracts/event';

/**
 * Domain events with a transactional outbox. An event is a row written by `emitEvent` in the
 * same transaction as the state change it describes; `OutboxRelay` later copies pending rows
 * into one queue per subscribed consumer and marks them relayed. If Redis is down the rows stay
 * pending and are relayed when it is back, so no event is lost; consumers record the event id
 * in `processed_event` in the transaction that applies it, so none is applied twice.
 */
export interface EventEnvelope<P = unknown> {
  id: string;
  type: string;
  version: number;
  occurredAt: string;
  /** The schema (subgraph) that emitted it. */
  source: string;
  payload: P;
}

/** Tables every subgraph that emits or consumes events creates in its own schema. */
export const OUTBOX_SQL = {
  up: [
    `CREATE TABLE outbox_event (
      id uuid PRIMARY KEY,
      type text NOT NULL,
      version integer NOT NULL CHECK (version > 0),
      occurred_at timestamptz NOT NULL DEFAULT now(),
      payload jsonb NOT NULL,
      relayed_at timestamptz
    )`,
    `CREATE INDEX outbox_event_pending_idx ON outbox_event (occurred_at) WHERE relayed_at IS NULL`,
    `CREATE TABLE processed_event (
      consumer text NOT NULL,
      event_id uuid NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, event_id)
    )`,
  ],
  down: [`DROP TABLE processed_event`, `DROP TABLE outbox_event`],
};

const consumerJob = (consumer: string) => `event:${consumer}`;

/**
 * Writes an event in the caller's transaction; the relay is nudged once it commits. The payload
 * is checked against the contract's type, so emitter and consumers cannot drift apart.
 */
export async function emitEvent<E extends EventContract>(
  ctx: Pick<BaseContext, 'em' | 'afterCommit'>,
  event: E,
  payload: PayloadOf<E>,
): Promise<string> {
  const id = randomUUID();
  await ctx.em.query(`INSERT INTO outbox_event (id, type, version, payload) VALUES ($1, $2, $3, $4)`, [
    id,
    event.type,
    event.version,
    JSON.stringify(payload),
  ]);
  if (ctx.em.queryRunner?.isTransactionActive) ctx.afterCommit.push(() => OutboxRelay.kickAll());
  else setImmediate(() => OutboxRelay.kickAll());
  return id;
}

/**
 * Copies pending outbox rows to consumer queues. One per subgraph process; several replicas may
 * run it at once (rows are claimed with FOR UPDATE SKIP LOCKED, and the queue de-duplicates by
 * event id).
 */
export class OutboxRelay {
  private static readonly live = new Set<OutboxRelay>();
  private timer: NodeJS.Timeout | null = null;
  private readonly consumersOf: (type: string) => string[];
  private running: Promise<unknown> | null = null;
  private again = false;
  private stopped = false;

  /**
   * @param routes consumer → the events delivered to it (the supergraph's are `EVENT_ROUTES`);
   *   read on every batch, so a test may add a consumer after start.
   * @param intervalMs how often pending rows are polled when nothing kicks the relay. Default 1000.
   * @param batchSize rows relayed per transaction. Default 100.
   */
  constructor(
    private readonly ds: DataSource,
    private readonly infra: Infra,
    private readonly source: string,
    private readonly log: Logger,
    routes: EventRoutes,
    private readonly intervalMs = 1000,
    private readonly batchSize = 100,
  ) {
    this.consumersOf = (type) =>
      Object.entries(routes)
        .filter(([, events]) => events.some((e) => e.type === type))
        .map(([consumer]) => consumer);
  }

  /** Nudges every relay in this process (after a commit), instead of waiting for the next poll. */
  static kickAll(): void {
    for (const r of OutboxRelay.live) r.kick();
  }

  start(): void {
    OutboxRelay.live.add(this);
    const tick = () => {
      if (this.stopped) return;
      this.kick();
      this.timer = setTimeout(tick, this.intervalMs);
      this.timer.unref();
    };
    tick();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.flush()
      .catch((err) => this.log.warn({ err }, 'outbox relay failed; will retry'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Relays until no pending row is left; resolves with how many rows were relayed. */
  async flush(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.ds.transaction((em) => this.relayBatch(em));
      total += n;
      if (n < this.batchSize) return total;
    }
  }

  private async relayBatch(em: EntityManager): Promise<number> {
    const rows: Array<{ id: string; type: string; version: number; occurred_at: Date; payload: unknown }> = await em.query(
      `SELECT id, type, version, occurred_at, payload FROM outbox_event
        WHERE relayed_at IS NULL ORDER BY occurred_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [this.batchSize],
    );
    for (const row of rows) {
      const envelope: EventEnvelope = {
        id: row.id,
        type: row.type,
        version: row.version,
        occurredAt: new Date(row.occurred_at).toISOString(),
        source: this.source,
        payload: row.payload,
      };
      const consumers = this.consumersOf(row.type);
      if (consumers.length === 0) this.log.debug({ type: row.type }, 'event has no consumer');
      for (const consumer of consumers) {
        await this.infra.queues.add(consumerJob(consumer), envelope, { jobId: `${consumer}:${row.id}`, attempts: 10 });
      }
    }
    if (rows.length) {
      await em.query(`UPDATE outbox_event SET relayed_at = now() WHERE id = ANY($1::uuid[])`, [rows.map((r) => r.id)]);
    }
    return rows.length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    OutboxRelay.live.delete(this);
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}

/** Applies one event inside the transaction that records it as processed. */
export type EventHandler<P = unknown> = (event: EventEnvelope<P>, em: EntityManager) => Promise<void>;

/** The handlers a consumer must have: exactly one per event routed to it, typed by its contract. */
export type EventHandlers<R extends EventRoutes, C extends keyof R> = {
  [E in R[C][number] as E['type']]: EventHandler<PayloadOf<E>>;
};

/** A consumer's handlers against its declared routes: refused at start-up unless they match exactly. */
export function checkConsumer(routes: EventRoutes, consumer: string, handled: string[]): void {
  const routed = routes[consumer];
  if (!routed) throw new Error(`event consumer "${consumer}" is not declared in the event routes (shared/src/contracts/routes.ts)`);
  const types = new Set(routed.map((e) => e.type));
  const unrouted = handled.filter((t) => !types.has(t));
  if (unrouted.length)
    throw new Error(
      `event consumer "${consumer}" handles ${unrouted.join(', ')}, which no route delivers to it (declare it in the event routes)`,
    );
  const unhandled = [...types].filter((t) => !handled.includes(t));
  if (unhandled.length) throw new Error(`event consumer "${consumer}" has no handler for ${unhandled.join(', ')}, which is routed to it`);
}

/**
 * Processes `consumer`'s queue. Each handler runs in a transaction that also records the event
 * id, so a redelivered event is skipped. The handlers must match the consumer's routes exactly
 * (checked here, before anything is consumed); an event of another version than its contract's
 * fails the job loudly instead of being applied with the wrong shape.
 */
export async function consumeEvents<R extends EventRoutes, C extends keyof R & string>(o: {
  dataSource: DataSource;
  infra: Infra;
  log: Logger;
  routes: R;
  consumer: C;
  handlers: EventHandlers<R, C>;
}): Promise<void> {
  const { dataSource: ds, consumer, log } = o;
  const handlers = o.handlers as Record<string, EventHandler>;
  checkConsumer(o.routes, consumer, Object.keys(handlers));
  const versions = new Map(o.routes[consumer]!.map((e) => [e.type, e.version]));
  o.infra.queues.process(consumerJob(consumer), async (data) => {
    const event = data as EventEnvelope;
    const handler = handlers[event.type];
    if (!handler) return;
    if (event.version !== versions.get(event.type))
      throw new Error(`${consumer} got ${event.type} v${event.version}; it handles v${versions.get(event.type)}`);
    await ds.transaction(async (em) => {
      const fresh: unknown[] = await em.query(
        `INSERT INTO processed_event (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
        [consumer, event.id],
      );
      if (fresh.length === 0) {
        log.debug({ consumer, eventId: event.id }, 'event already processed; skipped');
        return;
      }
      await handler(event, em);
    });
  });
}
