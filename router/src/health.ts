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
