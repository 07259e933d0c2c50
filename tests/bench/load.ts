import { performance } from 'node:perf_hooks';

export interface LoadResult {
  label: string;
  rps: number;
  p50: number;
  p99: number;
  /** SQL statements per request, from the `x-sql-statements` answer header (outside production). */
  sql: number | null;
}

/**
 * Sends `requests` POSTs of `body` to `url` with `concurrency` workers after a warm-up, and
 * measures throughput and latency percentiles. Fails on the first GraphQL error.
 */
export async function load(
  label: string,
  url: string,
  body: () => string,
  headers: Record<string, string>,
  requests: number,
  concurrency: number,
): Promise<LoadResult> {
  let sql: number | null = null;
  const once = async () => {
    const t = performance.now();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body() });
    const json = (await res.json()) as { errors?: unknown };
    if (json.errors) throw new Error(`${label}: ${JSON.stringify(json.errors).slice(0, 500)}`);
    const header = res.headers.get('x-sql-statements');
    if (header !== null) sql = Number(header);
    return performance.now() - t;
  };
  for (let i = 0; i < Math.min(200, requests); i++) await once();
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < requests) latencies.push(await once());
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { label, rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99), sql };
}

export function print(r: LoadResult): void {
  const sql = r.sql === null ? '' : `   ${r.sql} SQL statements/request`;
  console.log(
    `${r.label.padEnd(42)} ${r.rps.toFixed(0).padStart(6)} req/s   p50 ${r.p50.toFixed(2).padStart(6)} ms   p99 ${r.p99.toFixed(2).padStart(6)} ms${sql}`,
  );
}
