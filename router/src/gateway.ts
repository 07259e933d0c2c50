import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import type { Fetcher } from '@apollo/utils.fetcher';
import {
  FORWARD_HEADERS,
  SET_REFRESH_COOKIE_HEADER,
  encodeIdentity,
  injectTraceContext,
  type Identity,
  type Logger,
} from '@fashionistar/shared/edge';
import { timedFetcher, type FetchOutcome } from './observability';
import { parseSetRefreshCookie, type RefreshCookieUpdate } from './refresh-cookie';
import { classifyFetchError, failureError } from './subgraph-failure';
import type { TokenProblem } from './token-gate';

/** The subgraph that owns sessions: the only one that sees the refresh cookie and may set it. */
export const IDENTITY_SUBGRAPH = 'identity';

/** What the router knows about a request, handed to every subgraph fetch. */
export interface RouterContext {
  requestId: string;
  identity: Identity | null;
  clientIp: string | null;
  userAgent: string | null;
  /**
   * SQL statements the subgraphs ran for this request, summed from their `x-sql-statements`
   * answers (they send it outside production); the router reports the total the same way.
   */
  sqlStatements?: number;
  /** The access token the request carried and the router refused (see tokenGate). */
  tokenProblem?: TokenProblem;
  /** The `fashionistar_rt` cookie of the request, forwarded to identity only. */
  refreshCookie?: string | null;
  /** What identity asked the router to do with the cookie in its answer (last one wins). */
  refreshCookieUpdate?: RefreshCookieUpdate;
}

/**
 * Node's built-in fetch (undici): keep-alive connection pooling per origin, and none of the
 * make-fetch-happen stack the gateway uses by default (a measurable share of its CPU time).
 */
function subgraphFetcher(timeoutMs: number): Fetcher {
  return ((url: string, init?: RequestInit) => fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })) as unknown as Fetcher;
}

/**
 * Forwards identity, client IP, request id and the router secret to a subgraph; to identity
 * alone also the refresh cookie, and only identity's answer may ask for the cookie to change.
 */
class ForwardingDataSource extends RemoteGraphQLDataSource<RouterContext> {
  constructor(
    private readonly name: string,
    url: string,
    private readonly secret: string,
    fetcher: Fetcher,
    private readonly log: Logger,
    private readonly production = false,
  ) {
    super({ url, fetcher });
  }

  /**
   * A fetch that fails (refused, reset, timed out, 5xx or 413) is answered as a coded GraphQL
   * error of this subgraph (see subgraph-failure.ts) and logged once, at warn.
   */
  override async process(options: GraphQLDataSourceProcessOptions<RouterContext>) {
    const started = performance.now();
    try {
      return await super.process(options);
    } catch (error) {
      const failure = classifyFetchError(error);
      if (!failure) throw error;
      const ctx = options.context as Partial<RouterContext>;
      const incoming = 'incomingRequestContext' in options ? options.incomingRequestContext : undefined;
      const operationName = incoming?.operationName ?? incoming?.request.operationName;
      this.log.warn(
        {
          subgraph: this.name,
          operationName: operationName ?? null,
          durationMs: Math.round(performance.now() - started),
          code: failure.code,
          cause: failure.cause,
          requestId: ctx.requestId,
        },
        'subgraph fetch failed',
      );
      return { errors: [failureError(failure, options.request, this.name, this.production)] };
    }
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RouterContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    headers.set(FORWARD_HEADERS.secret, this.secret);
    const ctx = context as Partial<RouterContext>;
    if (ctx.requestId) headers.set(FORWARD_HEADERS.requestId, ctx.requestId);
    if (ctx.identity) headers.set(FORWARD_HEADERS.identity, encodeIdentity(ctx.identity));
    if (ctx.clientIp) headers.set(FORWARD_HEADERS.clientIp, ctx.clientIp);
    if (ctx.userAgent) headers.set(FORWARD_HEADERS.userAgent, ctx.userAgent.slice(0, 500));
    if (ctx.refreshCookie && this.name === IDENTITY_SUBGRAPH) headers.set(FORWARD_HEADERS.refreshCookie, ctx.refreshCookie);
    // Runs inside the gateway's fetch span: the subgraph's spans become its children.
    injectTraceContext(headers);
  }

  override async didReceiveResponse({
    response,
    context,
  }: Parameters<NonNullable<RemoteGraphQLDataSource<RouterContext>['didReceiveResponse']>>[0]) {
    const count = response.http?.headers.get('x-sql-statements');
    const ctx = context as Partial<RouterContext>;
    if (count && Number.isFinite(Number(count))) ctx.sqlStatements = (ctx.sqlStatements ?? 0) + Number(count);
    const setCookie = this.name === IDENTITY_SUBGRAPH ? response.http?.headers.get(SET_REFRESH_COOKIE_HEADER) : null;
    if (setCookie !== null && setCookie !== undefined) {
      const update = parseSetRefreshCookie(setCookie);
      if (update) ctx.refreshCookieUpdate = update;
      else
        this.log.warn({ requestId: ctx.requestId }, `identity sent a malformed ${SET_REFRESH_COOKIE_HEADER}; the cookie is left as it is`);
    }
    return response;
  }
}

export interface GatewayOptions {
  supergraphSdl: string;
  routerSecret: string;
  /** Subgraph name → URL overriding the supergraph's (containers). */
  urlOverrides: Record<string, string>;
  timeoutMs: number;
  log: Logger;
  /** Called after every subgraph fetch (metrics). */
  observeFetch?: (subgraph: string, outcome: FetchOutcome, seconds: number) => void;
  /** In production a failed fetch does not name its subgraph. */
  production?: boolean;
}

/** The gateway and the data sources it made, by subgraph name (shared with subscriptions). */
export function createGateway(o: GatewayOptions): { gateway: ApolloGateway; dataSources: Map<string, GraphQLDataSource> } {
  const fetcher = subgraphFetcher(o.timeoutMs);
  const dataSources = new Map<string, GraphQLDataSource>();
  const gateway = new ApolloGateway({
    supergraphSdl: o.supergraphSdl,
    logger: o.log,
    buildService: ({ name, url }) => {
      const timed = o.observeFetch ? timedFetcher(fetcher, name, o.observeFetch) : fetcher;
      const source = new ForwardingDataSource(name, o.urlOverrides[name] ?? url ?? '', o.routerSecret, timed, o.log, o.production);
      dataSources.set(name, source);
      return source;
    },
  });
  return { gateway, dataSources };
}

/**
 * @apollo/gateway implements version 1 of the gateway interface and @apollo/server 5 expects
 * version 2; the shapes differ only in type details. This adapter is the one place where the two
 * meet, so the rest of the router stays fully typed.
 */
type GatewayInterface = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type GatewayLoadResult = Awaited<ReturnType<GatewayInterface['load']>>;
type GatewayExecutor = NonNullable<GatewayLoadResult['executor']>;

export class GatewayAdapter implements GatewayInterface {
  constructor(readonly gateway: ApolloGateway) {}

  async load(options: Parameters<GatewayInterface['load']>[0]): Promise<GatewayLoadResult> {
    const result = await this.gateway.load(options);
    const executor = result.executor;
    if (!executor) return { executor: null };
    const adapted: GatewayExecutor = (requestContext) => executor(requestContext as unknown as Parameters<typeof executor>[0]);
    return { executor: adapted };
  }

  onSchemaLoadOrUpdate(callback: Parameters<GatewayInterface['onSchemaLoadOrUpdate']>[0]): () => void {
    return this.gateway.onSchemaLoadOrUpdate(callback);
  }

  stop(): Promise<void> {
    return this.gateway.stop();
  }
}
