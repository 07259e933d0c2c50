import type { DataSource } from 'typeorm';
import type { Infra } from '../infra/types';
import type { ServiceMetrics } from './metrics';

/**
 * What a subgraph reports besides its operations, read when scraped: how far its outbox relay
 * lags (age of the oldest pending event, one indexed SQL statement) and the depth of the job
 * queues this process uses (the consumers' event queues, messages).
 */
export function registerSubgraphGauges(metrics: ServiceMetrics, dataSource: DataSource, infra: Infra): void {
  // Both outbox gauges of one scrape share one statement.
  let pending: Promise<{ pending: number; lag: number } | null> | null = null;
  const outbox = () => {
    pending ??= readOutbox().finally(() => setTimeout(() => (pending = null), 1000).unref());
    return pending;
  };
  const readOutbox = async () => {
    if (!dataSource.isInitialized) return null;
    const [row] = (await dataSource.query(
      `SELECT count(*)::int AS pending, COALESCE(EXTRACT(EPOCH FROM now() - min(occurred_at)), 0)::float AS lag
         FROM outbox_event WHERE relayed_at IS NULL`,
    )) as Array<{ pending: number; lag: number }>;
    return row ?? null;
  };
  metrics.gauge('outbox_lag_seconds', 'Age of the oldest outbox event not yet relayed to its queues (0 when none)', [], async (g) => {
    const row = await outbox();
    if (row) g.set(row.lag);
  });
  metrics.gauge('outbox_pending_events', 'Outbox events not yet relayed to their queues', [], async (g) => {
    const row = await outbox();
    if (row) g.set(row.pending);
  });
  metrics.gauge('queue_jobs', 'Jobs in the queues this process uses, by queue and state', ['queue', 'state'], async (g) => {
    const counts = (await infra.queues.counts?.()) ?? {};
    for (const [queue, c] of Object.entries(counts)) for (const [state, n] of Object.entries(c)) g.set({ queue, state }, n);
  });
}
