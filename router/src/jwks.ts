import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { Logger } from '@fashionistar/shared/edge';

interface Jwk extends JsonWebKey {
  kid?: string;
}

/**
 * The identity subgraph's public keys, cached. An unknown `kid` (a key rotated in since the
 * last fetch) triggers one refetch, at most every `minRefetchMs`, so forged kids cannot make the
 * router hammer identity.
 */
export class JwksCache {
  private keys = new Map<string, KeyObject>();
  private raw: { keys: Jwk[] } = { keys: [] };
  private lastFetch = 0;
  private inflight: Promise<void> | null = null;

  /**
   * @param minRefetchMs least time between two fetches. Default 1 s: short enough that a key
   *   rotated in is picked up at once, long enough that forged kids cannot flood identity.
   * @param maxAgeMs a cache older than this is refreshed on the next lookup. Default 5 min.
   */
  constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly minRefetchMs = 1_000,
    private readonly maxAgeMs = 300_000,
  ) {}

  /** The public JWKS as last fetched (served at /.well-known/jwks.json). */
  async document(): Promise<{ keys: Jwk[] }> {
    if (!this.lastFetch || Date.now() - this.lastFetch > this.maxAgeMs) await this.refresh().catch(() => undefined);
    return this.raw;
  }

  async key(kid: string): Promise<KeyObject | null> {
    const stale = Date.now() - this.lastFetch > this.maxAgeMs;
    if (!this.keys.has(kid) || stale) {
      // A fetch under way (the first one, or one just after a rotation) may bring this kid: wait
      // for it rather than answer "unknown key" while the keys are still arriving.
      if (this.inflight) await this.inflight.catch(() => undefined);
      else if (stale || Date.now() - this.lastFetch > this.minRefetchMs) await this.refresh().catch(() => undefined);
    }
    return this.keys.get(kid) ?? null;
  }

  refresh(): Promise<void> {
    this.inflight ??= this.fetchKeys().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async fetchKeys(): Promise<void> {
    this.lastFetch = Date.now();
    try {
      const res = await fetch(this.url, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`JWKS answered ${res.status}`);
      const doc = (await res.json()) as { keys?: Jwk[] };
      const keys = new Map<string, KeyObject>();
      for (const jwk of doc.keys ?? []) {
        if (jwk.kid && jwk.kty === 'EC') keys.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
      }
      this.keys = keys;
      this.raw = { keys: doc.keys ?? [] };
    } catch (error) {
      this.log.warn({ err: error, url: this.url }, 'could not fetch JWKS');
      throw error;
    }
  }
}
