import type { Infra } from '@fashionistar/shared/edge';

/**
 * Readiness of the whole supergraph: every subgraph's /health must answer 200 (which they do only
 * once migrations and seeding are done).
 */
export async function checkSubgraphs(
  urls: Record<string, string>,
  timeoutMs = 2000,
): Promise<{ ok: boolean; subgraphs: Record<string, string> }> {
  const entries = await Promise.all(
    Object.entries(urls).map(async ([name, url]) => {
      const healthUrl = new URL('/health', url).toString();
      try {
        const res = await fetch(healthUrl, { signal: AbortSignal.timeout(timeoutMs) });
        await res.body?.cancel();
        return [name, res.ok ? 'ok' : res.status === 503 ? 'starting' : `http ${res.status}`] as const;
      } catch (error) {
        return [name, `unreachable (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name})`] as const;
      }
    }),
  );
  const subgraphs = Object.fromEntries(entries);
  return { ok: entries.every(([, s]) => s === 'ok'), subgraphs };
}

/**
 * The router's own store: signed-in requests read the revoked-session list there, so a router that
 * cannot reach Redis is not ready whatever the subgraphs say. Memory infra is always ok.
 */
export async function checkStore(infra: Infra, timeoutMs: number): Promise<string> {
  try {
    await infra.kv.ping(timeoutMs);
    return 'ok';
  } catch {
    return 'unreachable';
  }
}

/**
 * The answer of the public `/health`: 200 only when every subgraph and the store answer. Outside
 * production it says which part failed; in production only the status (subgraph names and the
 * shape of the deployment are nobody's business).
 */
export async function routerHealth(
  urls: Record<string, string>,
  infra: Infra,
  o: { production: boolean; timeoutMs: number },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const [subgraphs, store] = await Promise.all([checkSubgraphs(urls), checkStore(infra, o.timeoutMs)]);
  const ok = subgraphs.ok && store === 'ok';
  const status = ok ? 'ok' : 'unavailable';
  return { status: ok ? 200 : 503, body: o.production ? { status } : { status, subgraphs: subgraphs.subgraphs, store } };
}
