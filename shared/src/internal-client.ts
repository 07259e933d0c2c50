import axios, { type AxiosInstance } from 'axios';
import { FORWARD_HEADERS, encodeIdentity } from './identity';
import type { BaseContext } from './context';
import { AppError } from './errors';

/**
 * Synchronous calls from one subgraph to another, for decisions that must see the owner's state
 * at write time (is the caller a member of this store? is it approved?), never a projection that
 * may lag. The call carries the router secret and the caller's identity, so the other subgraph
 * applies its own rules; results are cached per request by the caller (see `memoPerRequest`).
 */
export class InternalClient {
  private readonly http: AxiosInstance;

  /**
   * @param peers subgraph name → GraphQL URL; read at call time, so it may be filled after start-up.
   * @param timeoutMs per call. Default 5000.
   */
  constructor(
    private readonly peers: Record<string, string>,
    private readonly routerSecret: string,
    timeoutMs = 5000,
  ) {
    this.http = axios.create({ timeout: timeoutMs, validateStatus: () => true });
  }

  /** Runs `query` on subgraph `name` as the caller of `ctx`; throws on any error in the answer. */
  async query<T>(ctx: BaseContext, name: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const url = this.peers[name];
    if (!url) throw new Error(`no URL for subgraph ${name}`);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [FORWARD_HEADERS.secret]: this.routerSecret,
      [FORWARD_HEADERS.requestId]: ctx.requestId,
    };
    if (ctx.identity) headers[FORWARD_HEADERS.identity] = encodeIdentity(ctx.identity);
    if (ctx.clientIp) headers[FORWARD_HEADERS.clientIp] = ctx.clientIp;
    const res = await this.http.post<{ data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> }>(
      url,
      { query, variables },
      { headers },
    );
    // 401 at the HTTP level is the peer refusing our router secret: a deployment fault, not the caller's.
    if (res.status === 401) throw new Error(`${name} refused the router secret`);
    const first = res.data?.errors?.[0];
    if (first) {
      const code = first.extensions?.code;
      // The other subgraph's verdict on the caller (e.g. FORBIDDEN) is passed on as is.
      if (code && ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'CONFLICT'].includes(code))
        throw new AppError(first.message, code as never);
      throw new Error(`${name} answered an error: ${first.message}`);
    }
    if (res.status !== 200 || !res.data?.data) throw new Error(`${name} answered HTTP ${res.status}`);
    return res.data.data;
  }
}

const caches = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * Memoizes `fn` per request: `scope` is an object that lives exactly as long as the request
 * (the context's loader registry), so the cache dies with it.
 */
export function memoPerRequest<T>(scope: object, key: string, fn: () => Promise<T>): Promise<T> {
  let cache = caches.get(scope);
  if (!cache) caches.set(scope, (cache = new Map()));
  let hit = cache.get(key) as Promise<T> | undefined;
  if (!hit) {
    hit = fn();
    cache.set(key, hit);
    // A failed call is not cached: the next resolver may retry.
    hit.catch(() => cache!.delete(key));
  }
  return hit;
}
