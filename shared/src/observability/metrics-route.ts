import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceMetrics } from './metrics';

export interface MetricsAccess {
  production: boolean;
  /** METRICS_TOKEN: when set, every scrape must send `Authorization: Bearer <token>`. */
  token?: string;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/**
 * Answers a `GET /metrics`. Who may read it: with METRICS_TOKEN set, only a bearer of it (401
 * otherwise); without it, anyone outside production, and in production nobody — the route does
 * not exist (404), since request counts by operation and process internals are nobody's business
 * on a public port. (The router can also serve it on a private METRICS_PORT instead.)
 */
export async function serveMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  metrics: ServiceMetrics,
  access: MetricsAccess,
): Promise<void> {
  const send = (status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(body);
  };
  if (access.token) {
    if (!bearerMatches(req.headers.authorization, access.token)) return send(401, 'unauthorized\n', { 'www-authenticate': 'Bearer' });
  } else if (access.production) {
    return send(404, 'not found\n');
  }
  const { contentType, body } = await metrics.text();
  send(200, body, { 'content-type': contentType, 'cache-control': 'no-store' });
}
