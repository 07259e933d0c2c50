import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import {
  executeApollo,
  formatError,
  inServerSpan,
  observeOperations,
  serveMetrics,
  sendGraphQLError,
  sendJson,
  subgraphUrlOverrides,
  UnavailableError,
  type Infra,
  type Logger,
} from '@fashionistar/shared/edge';
import { corsOrigins, type RouterConfig } from './config';
import { handleCors } from './cors';
import { refreshTokenFromCookies, setCookieHeader } from './refresh-cookie';
import { tokenGate } from './token-gate';
import { GatewayAdapter, createGateway, type RouterContext } from './gateway';
import { routerHealth } from './health';
import { JwksCache } from './jwks';
import { TokenRejected, TokenVerifier } from './auth';
import { clientIp, trustedProxyHops } from './client-ip';
import { limitRules } from './limits';
import { enforceCost } from './cost';
import { limitResponseSize } from './response-size';
import { enforcePageSizes, pageSizeLimits } from './page-sizes';
import { attachWebSocket } from './subscriptions';
import { SubscriptionExecutor } from './subscription-executor';
import { refuseHttpSubscriptions } from './http-subscriptions';
import { RouterRateLimiter, sendRateLimited } from './rate-limit';
import { persistedQueries } from './persisted-queries';
import { createRouterMetrics, startMetricsServer } from './observability';

export interface StartRouterOptions {
  config: RouterConfig;
  infra: Infra;
  log: Logger;
  /** Overrides PORT (0 = any free port, for tests). */
  port?: number;
  /** Subgraph name → URL, overriding the supergraph file (default: each subgraph's `urlEnv` variable, see subgraphUrlOverrides). */
  urlOverrides?: Record<string, string>;
}

export interface RunningRouter {
  url: string;
  port: number;
  httpServer: Server;
  /** The separate `/metrics` listener's URL when METRICS_PORT is set. */
  metricsUrl?: string;
  stop(): Promise<void>;
}

/** `join__graph(name: "x", url: "…")` entries of a supergraph. */
export function subgraphUrls(supergraphSdl: string): Record<string, string> {
  return Object.fromEntries([...supergraphSdl.matchAll(/@join__graph\(name:\s*"([^"]+)",\s*url:\s*"([^"]+)"\)/g)].map((m) => [m[1], m[2]]));
}

/** The client's x-request-id if it is a plain token (it is echoed in a header), else a fresh one. */
function requestIdOf(header: string | string[] | undefined): string {
  const given = typeof header === 'string' ? header.slice(0, 100) : '';
  return /^[\w.:-]+$/.test(given) ? given : randomUUID();
}

function sendUnavailable(res: ServerResponse, error: UnavailableError): void {
  sendJson(res, 503, { errors: [{ message: error.message, extensions: error.extensions }] }, { 'retry-after': '1' });
}

export async function startRouter(o: StartRouterOptions): Promise<RunningRouter> {
  const { config, log } = o;
  const production = config.NODE_ENV === 'production';
  const supergraphSdl = readFileSync(config.SUPERGRAPH_PATH, 'utf8');
  const declared = subgraphUrls(supergraphSdl);
  const urls = { ...declared, ...(o.urlOverrides ?? subgraphUrlOverrides(process.env)) };
  const identityUrl = urls.identity;
  const jwksUrl = config.JWKS_URL ?? (identityUrl ? new URL('/.well-known/jwks.json', identityUrl).toString() : undefined);
  if (!jwksUrl) throw new Error('no identity subgraph in the supergraph and no JWKS_URL: tokens could not be verified');
  const jwks = new JwksCache(jwksUrl, log);
  const verifier = new TokenVerifier(jwks, o.infra, config.JWT_ISSUER, config.JWT_AUDIENCE, config.REDIS_TIMEOUT_MS);

  const { metrics, fetchDuration } = createRouterMetrics();
  const { gateway, dataSources } = createGateway({
    supergraphSdl,
    routerSecret: config.ROUTER_SECRET,
    urlOverrides: urls,
    timeoutMs: config.SUBGRAPH_TIMEOUT_MS,
    log,
    observeFetch: (subgraph, outcome, seconds) => fetchDuration.observe({ subgraph, outcome }, seconds),
    production,
  });
  const httpServer = createServer();
  const pageSizes = pageSizeLimits(supergraphSdl);
  const limits = {
    maxDepth: config.MAX_DEPTH,
    maxAliases: config.MAX_ALIASES,
    maxCost: config.MAX_COST,
    maxRootFields: config.MAX_ROOT_FIELDS,
    maxDirectives: config.MAX_DIRECTIVES,
  };
  const subscriptions = new SubscriptionExecutor({
    supergraphSdl,
    subgraphUrls: urls,
    dataSources,
    routerSecret: config.ROUTER_SECRET,
    limits,
    pageSizes,
    log,
  });
  // TRUST_PROXY: how many reverse proxies in front of the router append to X-Forwarded-For.
  const proxyHops = trustedProxyHops(config.TRUST_PROXY);
  const rateLimiter = new RouterRateLimiter(
    o.infra.kv,
    {
      perIp: config.RATE_LIMIT_PER_IP_PER_MINUTE,
      perUser: config.RATE_LIMIT_PER_USER_PER_MINUTE,
    },
    log,
  );
  const persisted = persistedQueries<RouterContext>(config);
  if (production && persisted.mode !== 'allowlist') {
    log.warn({ mode: persisted.mode }, 'persisted queries: any document may run; set PERSISTED_QUERIES_MANIFEST for allow-list mode');
  }
  const sockets = attachWebSocket({
    httpServer,
    verifier,
    subscriptions,
    production,
    trustedProxyHops: proxyHops,
    maxTokens: config.MAX_TOKENS,
    rateLimiter,
    allowsDocument: persisted.allows,
  });
  metrics.gauge('websocket_connections', 'WebSocket connections open on the router', [], (g) => g.set(sockets.openSockets()));
  const allowedOrigins = corsOrigins(config);
  const cookieOptions = { sameSite: config.REFRESH_COOKIE_SAMESITE, domain: config.REFRESH_COOKIE_DOMAIN };

  const apollo = new ApolloServer<RouterContext>({
    gateway: new GatewayAdapter(gateway),
    introspection: !production,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // No "Did you mean …" naming fields, arguments or types where introspection is off.
    hideSchemaDetailsFromClientErrors: production,
    parseOptions: { maxTokens: config.MAX_TOKENS },
    validationRules: limitRules(limits),
    persistedQueries: persisted.apollo,
    formatError: (formatted) => formatError(formatted, production),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Our own GraphiQL is served outside production; Apollo's landing pages load from a CDN.
      ApolloServerPluginLandingPageDisabled(),
      refuseHttpSubscriptions(),
      observeOperations<RouterContext>({
        service: 'router',
        metrics,
        log,
        level: 'info',
        facts: (ctx) => ({ requestId: ctx.requestId, userId: ctx.identity?.userId }),
        executeSpan: false, // the gateway opens its own plan, execute and fetch spans
      }),
      tokenGate(),
      ...persisted.plugins,
      enforcePageSizes(pageSizes),
      enforceCost(pageSizes, config.MAX_COST),
      limitResponseSize(config.MAX_RESPONSE_BYTES),
      {
        // Identity asked for the refresh cookie to be set or cleared (see refresh-cookie.ts).
        async requestDidStart() {
          return {
            async willSendResponse({ contextValue, response }) {
              if (!contextValue.refreshCookieUpdate) return;
              response.http.headers.set('set-cookie', setCookieHeader(contextValue.refreshCookieUpdate, cookieOptions));
              response.http.headers.set('cache-control', 'no-store');
            },
          };
        },
      },
      {
        // Outside production the answer says how many SQL statements the whole plan ran, so
        // tests through the router can prove a page is N+1-free across subgraphs.
        async requestDidStart() {
          return {
            async willSendResponse({ contextValue, response }) {
              if (!production && contextValue.sqlStatements !== undefined)
                response.http.headers.set('x-sql-statements', String(contextValue.sqlStatements));
            },
          };
        },
      },
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await sockets.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();
  sockets.bind(apollo);
  let graphiql: string | null = null;

  httpServer.on('request', (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const handle = async () => {
      if (path === '/health' && req.method === 'GET') {
        const health = await routerHealth(urls, o.infra, { production, timeoutMs: config.REDIS_TIMEOUT_MS });
        return sendJson(res, health.status, health.body);
      }
      if (path === '/metrics' && req.method === 'GET' && config.METRICS_PORT === undefined) {
        return serveMetrics(req, res, metrics, { production, token: config.METRICS_TOKEN });
      }
      if (path === '/.well-known/jwks.json' && req.method === 'GET') {
        return sendJson(res, 200, await jwks.document(), { 'cache-control': 'public, max-age=300' });
      }
      if (path !== '/graphql') return sendJson(res, 404, { error: 'not found' });
      // Before Apollo's CSRF guard, which would refuse a preflight (it carries no content-type).
      if (handleCors(req, res, allowedOrigins)) return;
      // Counted before the token is checked (forged tokens cost a hit too); the user after it.
      const ip = clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], proxyHops);
      const ipRefusal = await rateLimiter.hitIp(ip);
      if (ipRefusal) return sendRateLimited(res, ipRefusal);
      if (req.method === 'GET' && !production && String(req.headers.accept ?? '').includes('text/html')) {
        // Loaded on first use: the page bundles GraphiQL (tens of MB in memory), never needed in production.
        graphiql ??= (await import('@graphql-yoga/render-graphiql')).renderGraphiQL({
          endpoint: '/graphql',
          subscriptionsProtocol: 'WS',
          title: 'Fashionistar Supergraph',
        });
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(graphiql);
      }
      // A refused token does not stop the request here: the operation runs anonymously if it only
      // asks for sign-in flows (refresh with an expired token), else tokenGate refuses it (401).
      let identity = null;
      let tokenProblem;
      try {
        identity = await verifier.verify(req.headers.authorization);
      } catch (error) {
        // The revoked-session list could not be read (Redis down): retryable, 503, not a hang.
        if (error instanceof UnavailableError) return sendUnavailable(res, error);
        if (!(error instanceof TokenRejected)) throw error;
        tokenProblem = { reason: error.reason, message: error.message };
      }
      const userRefusal = await rateLimiter.hitUser(identity?.userId);
      if (userRefusal) return sendRateLimited(res, userRefusal);
      const context: RouterContext = {
        requestId: requestIdOf(req.headers['x-request-id']),
        identity,
        tokenProblem,
        clientIp: ip,
        userAgent: (req.headers['user-agent'] as string | undefined) ?? null,
        refreshCookie: refreshTokenFromCookies(req.headers.cookie),
      };
      res.setHeader('x-request-id', context.requestId);
      await inServerSpan('router', `${req.method} /graphql`, req.headers, { 'http.request.method': req.method ?? 'GET' }, () =>
        executeApollo(apollo, req, res, async () => context),
      );
    };
    handle().catch((err) => {
      log.error({ err }, 'router request failed');
      if (!res.headersSent) sendGraphQLError(res, 500, 'Internal server error', 'INTERNAL_SERVER_ERROR');
      else res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(o.port ?? config.PORT, config.HOST, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const metricsServer =
    config.METRICS_PORT === undefined
      ? null
      : await startMetricsServer({ port: config.METRICS_PORT, host: config.HOST, metrics, token: config.METRICS_TOKEN, log });
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
  const url = `http://${host}:${port}/graphql`;
  const metricsUrl = metricsServer ? `http://${host}:${(metricsServer.address() as AddressInfo).port}/metrics` : undefined;
  log.info({ url, metricsUrl }, 'router listening');
  let stopping: Promise<void> | null = null;
  const stop = async () => {
    await apollo.stop();
    if (metricsServer) await new Promise((resolve) => metricsServer.close(resolve));
  };
  return { url, port, httpServer, metricsUrl, stop: () => (stopping ??= stop()) };
}
