import { createServer, type Server } from 'node:http';
import type { Fetcher } from '@apollo/utils.fetcher';
import { ServiceMetrics, serveMetrics, type Logger } from '@fashionistar/shared/edge';

export type FetchOutcome = 'ok' | 'timeout' | 'unreachable' | `http_${number}`;

/** The router's metrics: its operations (observeOperations) and each subgraph fetch. */
export function createRouterMetrics() {
  const metrics = new ServiceMetrics('router');
  const fetchDuration = metrics.histogram('subgraph_fetch_duration_seconds', 'Time of one subgraph fetch, by subgraph and outcome', [
    'subgraph',
    'outcome',
  ]);
  return { metrics, fetchDuration };
}

/** Times every fetch of one subgraph into `subgraph_fetch_duration_seconds`. */
export function timedFetcher(
  inner: Fetcher,
  subgraph: string,
  observe: (subgraph: string, outcome: FetchOutcome, seconds: number) => void,
): Fetcher {
  return (async (url: string, init?: RequestInit) => {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const res = (await (inner as unknown as typeof fetch)(url, init)) as Response;
      observe(subgraph, res.ok ? 'ok' : `http_${res.status}`, seconds());
      return res;
    } catch (error) {
      const name = (error as Error).name;
      observe(subgraph, name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'unreachable', seconds());
      throw error;
    }
  }) as unknown as Fetcher;
}

/**
 * `/metrics` alone on its own port (METRICS_PORT), for platforms that scrape a private port:
 * the public port then has no `/metrics` at all. METRICS_TOKEN, when set, is still required.
 */
export async function startMetricsServer(o: {
  port: number;
  host: string;
  metrics: ServiceMetrics;
  token?: string;
  log: Logger;
}): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('not found\n');
    }
    // Open without a token: a separate port is the operator's statement that it is private.
    serveMetrics(req, res, o.metrics, { production: false, token: o.token }).catch((err) => {
      o.log.error({ err }, 'metrics scrape failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  return server;
}
