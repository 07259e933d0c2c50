import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds; from a cached entity fetch to a subgraph timeout (SUBGRAPH_TIMEOUT_MS defaults to 15 s). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];

/** Most distinct operation names one process labels; later newcomers count as "other". */
export const MAX_OPERATION_LABELS = 200;

let processRegistry: Registry | null = null;

/** The process's own metrics (CPU, memory, event-loop lag, GC), once per process however many servers it runs. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * Prometheus metrics of one server (the router or one subgraph). Each has its own registry, so
 * `npm start`, which runs them all in one process, still answers each `/metrics` with its own
 * numbers (plus the process's). Labels are bounded: operation names go through `operationLabel`,
 * error codes and subgraph names come from our own code.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly operations = new Set<string>();

  readonly requests: Counter<'operation' | 'type' | 'status'>;
  readonly errors: Counter<'operation' | 'code'>;
  readonly duration: Histogram<'operation' | 'type'>;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    this.requests = new Counter({
      name: 'graphql_requests_total',
      help: 'GraphQL operations answered, by operation name, operation type and HTTP status',
      labelNames: ['operation', 'type', 'status'],
      registers: [this.registry],
    });
    this.errors = new Counter({
      name: 'graphql_errors_total',
      help: 'GraphQL operations that answered an error, once per distinct extensions.code',
      labelNames: ['operation', 'code'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'graphql_request_duration_seconds',
      help: 'Time from receiving a GraphQL operation to its answer',
      labelNames: ['operation', 'type'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
  }

  /**
   * The label of an operation name: "anonymous" without one, at most 64 characters of a GraphQL
   * name, and "other" once MAX_OPERATION_LABELS names were seen (a client inventing names must not
   * grow the series without end).
   */
  operationLabel(name: string | null | undefined): string {
    if (!name || !/^[_A-Za-z][_0-9A-Za-z]*$/.test(name)) return 'anonymous';
    const label = name.slice(0, 64);
    if (this.operations.has(label)) return label;
    if (this.operations.size >= MAX_OPERATION_LABELS) return 'other';
    this.operations.add(label);
    return label;
  }

  histogram<L extends string>(name: string, help: string, labelNames: L[]): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers: [this.registry] });
  }

  /** A gauge read when scraped (`collect` sets its values; a failing read leaves it empty). */
  gauge<L extends string>(name: string, help: string, labelNames: L[], collect: (g: Gauge<L>) => Promise<void> | void): Gauge<L> {
    return new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          await collect(this);
        } catch {
          // A scrape must not fail because one source (the database, Redis) is down.
        }
      },
    });
  }

  /** The text Prometheus scrapes: this server's metrics and the process's. */
  async text(): Promise<{ contentType: string; body: string }> {
    // Not Registry.merge: the merged registry drops this one's default label (service).
    const [own, process] = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    return { contentType: this.registry.contentType, body: `${own}\n${process}` };
  }
}
