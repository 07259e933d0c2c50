import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GraphQLError } from 'graphql';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';

/**
 * Persisted queries on the router, in one of three modes (PERSISTED_QUERIES):
 *
 * - `off`: every request carries its document; a `persistedQuery` extension is refused.
 * - `apq`: automatic persisted queries. A client may send only the document's sha256 (the
 *   `persistedQuery` extension); an unknown hash answers PERSISTED_QUERY_NOT_FOUND and the
 *   client sends hash and document once, which registers it. Any document still runs.
 * - `allowlist`: only the operations of a manifest run (PERSISTED_QUERIES_MANIFEST, the
 *   `persisted-documents.json` codegen's client preset writes: `{ "sha256:<hex>": "<document>" }`).
 *   A client sends the hash alone, or the manifest's document text; anything else is refused with
 *   PERSISTED_QUERY_NOT_ALLOWED before it is planned, and nothing new is ever registered.
 *
 * In `apq` mode a manifest, when given, is preloaded: its hashes never miss.
 *
 * The APQ cache is in memory and bounded (least recently used entries go first), per router
 * replica: a replica that has not seen a hash answers PERSISTED_QUERY_NOT_FOUND and the client's
 * retry registers it there, which the protocol expects.
 */
export type PersistedQueriesMode = 'off' | 'apq' | 'allowlist';

/** Characters of documents the APQ cache keeps (about 16 MB of text; ~10k typical operations). */
export const APQ_CACHE_MAX_CHARS = 16 * 1024 * 1024;
/** A single document larger than this is not cached (it still runs). */
const APQ_ENTRY_MAX_CHARS = 256 * 1024;

export const NOT_ALLOWED_CODE = 'PERSISTED_QUERY_NOT_ALLOWED';

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The structural KeyValueCache Apollo Server's `persistedQueries.cache` takes. */
export interface DocumentCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean | void>;
}

/** A least-recently-used map of documents bounded by their total length. */
export class BoundedDocumentCache implements DocumentCache {
  private readonly entries = new Map<string, string>();
  private chars = 0;

  constructor(private readonly maxChars = APQ_CACHE_MAX_CHARS) {}

  async get(key: string): Promise<string | undefined> {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // Re-inserting moves the key to the end: Map iteration order is the LRU order.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  async set(key: string, value: string): Promise<void> {
    if (value.length > Math.min(APQ_ENTRY_MAX_CHARS, this.maxChars)) return;
    await this.delete(key);
    this.entries.set(key, value);
    this.chars += value.length;
    for (const [oldest, old] of this.entries) {
      if (this.chars <= this.maxChars) break;
      this.entries.delete(oldest);
      this.chars -= old.length;
    }
  }

  async delete(key: string): Promise<boolean> {
    const old = this.entries.get(key);
    if (old === undefined) return false;
    this.entries.delete(key);
    this.chars -= old.length;
    return true;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** sha256 hex → document, from a client preset manifest (keys `sha256:<hex>` or bare hex). */
export type Manifest = ReadonlyMap<string, string>;

export function parseManifest(json: string, source = 'manifest'): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new Error(`${source} is not JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${source} must be an object of hash → document`);
  const manifest = new Map<string, string>();
  for (const [key, document] of Object.entries(raw)) {
    const hash = key.replace(/^sha256:/, '').toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hash) || typeof document !== 'string') {
      throw new Error(
        `${source}: every key must be a sha256 hash ("sha256:<64 hex>") and every value a document string; got ${JSON.stringify(key)}`,
      );
    }
    // The hash must be the document's: a manifest whose entries do not match would let a
    // registered id run another text than the one reviewed.
    if (sha256Hex(document) !== hash) throw new Error(`${source}: ${key} is not the sha256 of its document`);
    manifest.set(hash, document);
  }
  return manifest;
}

export const loadManifest = (path: string): Manifest => parseManifest(readFileSync(path, 'utf8'), path);

/**
 * Answers the manifest's documents by hash; anything else goes to `registered` (APQ mode with a
 * manifest) or nowhere (allow-list mode: nothing is ever registered).
 */
class ManifestCache implements DocumentCache {
  constructor(
    private readonly manifest: Manifest,
    private readonly registered?: DocumentCache,
  ) {}
  async get(key: string): Promise<string | undefined> {
    // Apollo prefixes its keys ("apq:<hash>"); the hash is what follows the last colon.
    return this.manifest.get(key.slice(key.lastIndexOf(':') + 1)) ?? this.registered?.get(key);
  }
  async set(key: string, value: string): Promise<void> {
    await this.registered?.set(key, value);
  }
  async delete(key: string): Promise<boolean> {
    return (await this.registered?.delete(key)) ?? false;
  }
}

/** Refuses, after parsing but before planning, every operation whose text is not in the manifest. */
function allowListPlugin<C extends object>(manifest: Manifest): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ queryHash, source }) {
          // queryHash is the sha256 of the text that runs (Apollo checked a client-sent hash against it).
          const hash = queryHash ?? (source === undefined ? undefined : sha256Hex(source));
          if (hash !== undefined && manifest.has(hash)) return;
          throw notAllowedError();
        },
      };
    },
  };
}

/** The refusal; `http` (Apollo's status, HTTP only) is left out over WebSocket. */
export function notAllowedError(http = true): GraphQLError {
  return new GraphQLError('This operation is not on the allow-list of persisted operations. Send a registered operation by its hash.', {
    extensions: {
      code: NOT_ALLOWED_CODE,
      // Apollo wants a Map here; graphql-yoga's global augmentation types it as a record.
      ...(http ? { http: { status: 400, headers: new HeaderMap() as unknown as Record<string, string> } } : {}),
    },
  });
}

export interface PersistedQueriesSetup<C extends object> {
  mode: PersistedQueriesMode;
  /** Apollo Server's `persistedQueries` option. */
  apollo: false | { cache: DocumentCache };
  /** Plugins to add (the allow-list check in allowlist mode). */
  plugins: ApolloServerPlugin<C>[];
  /** Whether a document (by its text) may run: always outside allowlist mode. */
  allows(query: string): boolean;
}

/**
 * The mode in effect: PERSISTED_QUERIES when set, else `allowlist` when a manifest is given and
 * `apq` without one. Allow-list mode without a manifest stops the router at start.
 */
export function persistedQueries<C extends object>(config: {
  PERSISTED_QUERIES?: PersistedQueriesMode;
  PERSISTED_QUERIES_MANIFEST?: string;
}): PersistedQueriesSetup<C> {
  const mode = config.PERSISTED_QUERIES ?? (config.PERSISTED_QUERIES_MANIFEST ? 'allowlist' : 'apq');
  if (mode === 'off') return { mode, apollo: false, plugins: [], allows: () => true };
  const manifest = config.PERSISTED_QUERIES_MANIFEST ? loadManifest(config.PERSISTED_QUERIES_MANIFEST) : undefined;
  if (mode === 'apq') {
    // With a manifest its hashes answer at once, so a client sending codegen's hashes never misses.
    const cache = manifest ? new ManifestCache(manifest, new BoundedDocumentCache()) : new BoundedDocumentCache();
    return { mode, apollo: { cache }, plugins: [], allows: () => true };
  }
  if (!manifest) throw new Error('PERSISTED_QUERIES=allowlist needs PERSISTED_QUERIES_MANIFEST');
  return {
    mode,
    apollo: { cache: new ManifestCache(manifest) },
    plugins: [allowListPlugin<C>(manifest)],
    allows: (query) => manifest.has(sha256Hex(query)),
  };
}
