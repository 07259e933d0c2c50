import axios, { type AxiosInstance } from 'axios';
import { FORWARD_HEADERS, encodeIdentity } from './identity';
import type { BaseContext } from './context';
import type { InternalQuery } from './contracts/event';
import { AppError, CLIENT_ERROR_CODES, UnavailableError, type ErrorCode } from './errors';
import { inClientSpan, injectTraceContext } from './observability/tracing';

/**
 * Synchronous calls from one subgraph to another, for decisions that must see the owner's state
 * at write time (is the caller a member of this store? is it approved?), never a projection that
 * may lag. The call carries the router secret and the caller's identity, so the other subgraph
 * applies its own rules; results are cached per request by the caller (see `memoPerRequest`).
 * Documents and result types come from the owner's contracts (`InternalQuery`).
 */
export class InternalClient {
  private readonly http: AxiosInstance;

  /**
   * @param peers subgraph name → GraphQL URL; read at call time, so it may be filled after start-up.
   * @param timeoutMs per call. Default 5000.
   * @param caller the calling subgraph's name (its trace spans' scope).
   */
  constructor(
    private readonly peers: Record<string, string>,
    private readonly routerSecret: string,
    timeoutMs = 5000,
    private readonly caller = 'subgraph',
  ) {
    this.http = axios.create({ timeout: timeoutMs, validateStatus: () => true });
  }

  /**
   * Asks `q` of its subgraph as the caller of `ctx`. The peer's verdict on the caller
   * (BAD_USER_INPUT, FORBIDDEN, NOT_FOUND, CONFLICT, RATE_LIMITED) is passed on as is;
   * UNAUTHENTICATED only when the caller is anonymous: for a signed-in caller it means the peer
   * refused this subgraph (a deployment fault), which must not tell the client to sign in again.
   * Anything else is an internal error (logged, masked in production).
   */
  async query<V extends Record<string, unknown>, R>(ctx: BaseContext, q: InternalQuery<V, R>, variables: V): Promise<R> {
    const url = this.peers[q.subgraph];
    if (!url) throw new Error(`no URL for subgraph ${q.subgraph}`);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [FORWARD_HEADERS.secret]: this.routerSecret,
      [FORWARD_HEADERS.requestId]: ctx.requestId,
    };
    if (ctx.identity) headers[FORWARD_HEADERS.identity] = encodeIdentity(ctx.identity);
    if (ctx.clientIp) headers[FORWARD_HEADERS.clientIp] = ctx.clientIp;
    type Answer = { data?: R; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
    const res = await inClientSpan(this.caller, `internal ${q.subgraph}`, { 'fsg.subgraph': q.subgraph }, () => {
      // The callee's spans join this request's trace.
      injectTraceContext(headers);
      return this.http.post<Answer>(url, { query: q.document, variables }, { headers });
    }).catch((error: unknown) => {
      // Refused, reset or timed out: the peer is down or slow, which the caller may retry; a raw
      // "connect ECONNREFUSED host:port" would be masked as an internal error and say nothing.
      throw unavailable(q.subgraph, error);
    });
    // A 5xx without a GraphQL answer (a proxy's page, a crashed process): the same.
    if (res.status >= 500 && !Array.isArray((res.data as Answer | undefined)?.errors)) throw unavailable(q.subgraph, `HTTP ${res.status}`);
    // 401 at the HTTP level is the peer refusing our router secret: a deployment fault, not the caller's.
    if (res.status === 401) throw new Error(`${q.subgraph} refused the router secret`);
    const first = res.data?.errors?.[0];
    if (first) {
      const code = String(first.extensions?.code ?? '') as ErrorCode;
      const callersFault = CLIENT_ERROR_CODES.has(code) && (code !== 'UNAUTHENTICATED' || !ctx.identity);
      if (!callersFault) throw new Error(`${q.subgraph} answered ${code || 'an error'}: ${first.message}`);
      // `field` names the peer's argument, not the caller's: dropped; the rest (retryAfterSeconds) kept.
      const { code: _code, field: _field, ...extensions } = first.extensions ?? {};
      throw new AppError(first.message, code, extensions);
    }
    if (res.status !== 200 || !res.data?.data) throw new Error(`${q.subgraph} answered HTTP ${res.status}`);
    return res.data.data;
  }
}

function unavailable(subgraph: string, cause: unknown): UnavailableError {
  const error = new UnavailableError('Part of the service is unavailable right now. Try again shortly.', 'SUBGRAPH_UNAVAILABLE', {
    subgraph,
  });
  // Kept for the log (the subgraph logs errors that are not the caller's), never sent to clients.
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false });
  return error;
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
