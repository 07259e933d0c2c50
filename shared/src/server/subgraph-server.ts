import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { DataSource } from 'typeorm';
import type { BaseContext } from '../context';
import { formatError, isExpectedError } from '../errors';
import { FORWARD_HEADERS, decodeIdentity, secretMatches } from '../identity';
import type { Infra } from '../infra/types';
import type { Logger } from '../logger';
import { executeApollo, peerAddress, sendGraphQLError, sendJson } from './http';
import { withQueryBucket } from '../db/query-counter';
import { LoaderRegistry } from '../loaders';
import { ServiceMetrics } from '../observability/metrics';
import { serveMetrics } from '../observability/metrics-route';
import { observeOperations } from '../observability/operation-plugin';
import { registerSubgraphGauges } from '../observability/subgraph-metrics';
import { inServerSpan } from '../observability/tracing';

export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface SubgraphServerOptions<C extends BaseContext> {
  /** Subgraph name, as in the composition config. */
  name: string;
  /** Port to listen on; 0 picks a free one (tests). */
  port: number;
  /** Interface to bind. Default `127.0.0.1`; containers set `0.0.0.0`. */
  host?: string;
  schema: GraphQLSchema;
  routerSecret: string;
  /** Production masks unexpected errors and turns introspection off. */
  production: boolean;
  log: Logger;
  infra: Infra;
  dataSource: DataSource;
  /** Adds the subgraph's loaders and services to the base context. */
  buildContext: (base: BaseContext) => C;
  /** Extra public GET routes (e.g. JWKS), answered without the router secret. */
  publicRoutes?: Record<string, Route>;
  /** `/health` answers 503 until this returns true (migrations and seeding finished). */
  isReady?: () => boolean;
  /** Apollo plugins added after the kernel's (e.g. response headers a subgraph sends the router). */
  plugins?: ApolloServerPlugin<C>[];
  /** METRICS_TOKEN: bearer token `/metrics` requires (see serveMetrics). */
  metricsToken?: string;
}

export interface RunningServer {
  name: string;
  url: string;
  port: number;
  httpServer: Server;
  stop(): Promise<void>;
}

/**
 * Starts a subgraph: GraphQL over HTTP and graphql-ws on one port, `/health`, and a stop() that
 * drains HTTP requests and closes sockets. Every GraphQL request must carry the router secret;
 * without it the answer is HTTP 401 and nothing runs.
 */
export async function startSubgraphServer<C extends BaseContext>(o: SubgraphServerOptions<C>): Promise<RunningServer> {
  const httpServer = createServer();
  const metrics = new ServiceMetrics(o.name);
  registerSubgraphGauges(metrics, o.dataSource, o.infra);
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const makeBase = (headers: IncomingMessage['headers'], peer: string | null): BaseContext => {
    const requestId = String(headers[FORWARD_HEADERS.requestId] ?? randomUUID());
    return {
      requestId,
      log: o.log.child({ requestId }),
      identity: decodeIdentity(headers[FORWARD_HEADERS.identity] as string | undefined),
      clientIp: (headers[FORWARD_HEADERS.clientIp] as string | undefined) ?? peer,
      userAgent: (headers[FORWARD_HEADERS.userAgent] as string | undefined) ?? (headers['user-agent'] as string | undefined) ?? null,
      em: o.dataSource.manager,
      loaders: new LoaderRegistry(),
      infra: o.infra,
      afterCommit: [],
      responseHeaders: new Map(),
      // Every caller of makeBase has checked the router secret (HTTP handler, graphql-ws onConnect).
      refreshCookie: (headers[FORWARD_HEADERS.refreshCookie] as string | undefined) || null,
    };
  };

  const wsCleanup = useServer(
    {
      schema: o.schema,
      onConnect: (ctx) => {
        const params = (ctx.connectionParams ?? {}) as Record<string, unknown>;
        const secret =
          (params.routerSecret as string | undefined) ?? (ctx.extra.request.headers[FORWARD_HEADERS.secret] as string | undefined);
        return secretMatches(secret, o.routerSecret);
      },
      context: (ctx) => {
        const params = (ctx.connectionParams ?? {}) as Record<string, string | undefined>;
        const headers = { ...ctx.extra.request.headers };
        for (const h of Object.values(FORWARD_HEADERS)) if (params[h]) headers[h] = params[h];
        return o.buildContext(makeBase(headers, peerAddress(ctx.extra.request)));
      },
    },
    wsServer,
  );

  const apollo = new ApolloServer<C>({
    schema: o.schema,
    introspection: !o.production,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => {
      const original = (error as { originalError?: unknown })?.originalError ?? error;
      if (!isExpectedError(original) && !String(formatted.extensions?.code ?? '').startsWith('GRAPHQL_')) {
        o.log.error({ err: original }, 'unexpected resolver error');
      }
      return formatError(formatted, o.production);
    },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Traces would tell any caller how long our resolvers take; we have our own logs.
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
      // The router logs every operation at info; a subgraph's lines repeat it per fetch, so debug.
      observeOperations<C>({
        service: o.name,
        metrics,
        log: o.log,
        level: 'debug',
        facts: (ctx) => ({ requestId: ctx.requestId, userId: ctx.identity?.userId }),
        executeSpan: true,
      }),
      ...(o.plugins ?? []),
    ],
  });
  await apollo.start();

  httpServer.on('request', (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const handle = async () => {
      if (path === '/health') {
        const ready = o.isReady ? o.isReady() : true;
        return sendJson(res, ready ? 200 : 503, { name: o.name, status: ready ? 'ok' : 'starting' });
      }
      if (path === '/metrics' && req.method === 'GET')
        return serveMetrics(req, res, metrics, { production: o.production, token: o.metricsToken });
      const route = req.method === 'GET' ? o.publicRoutes?.[path] : undefined;
      if (route) return route(req, res);
      if (path !== '/graphql' && path !== '/') return sendJson(res, 404, { error: 'not found' });
      if (!secretMatches(req.headers[FORWARD_HEADERS.secret] as string | undefined, o.routerSecret)) {
        return sendGraphQLError(res, 401, 'This subgraph only answers the router.', 'UNAUTHENTICATED');
      }
      // Outside production each answer says how many SQL statements it took, so tests can prove
      // list fields are N+1-free through real HTTP.
      const bucket = { count: 0, statements: [] as string[] };
      let base: BaseContext | undefined;
      await inServerSpan(o.name, `${req.method} /graphql`, req.headers, { 'http.request.method': req.method }, () =>
        withQueryBucket(bucket, () =>
          executeApollo(
            apollo,
            req,
            res,
            async () => o.buildContext((base = makeBase(req.headers, peerAddress(req)))),
            () => {
              if (!o.production) res.setHeader('x-sql-statements', String(bucket.count));
              // Headers resolvers asked for (setResponseHeader); the context's copies share this map.
              for (const [name, value] of base?.responseHeaders ?? []) res.setHeader(name, value);
            },
          ),
        ),
      );
    };
    handle().catch((err) => {
      o.log.error({ err }, 'request failed');
      if (!res.headersSent) sendGraphQLError(res, 500, 'Internal server error', 'INTERNAL_SERVER_ERROR');
      else res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(o.port, o.host ?? '127.0.0.1', () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${o.host && o.host !== '0.0.0.0' ? o.host : '127.0.0.1'}:${port}/graphql`;
  o.log.info({ url }, `subgraph ${o.name} listening`);
  let stopping: Promise<void> | null = null;
  return {
    name: o.name,
    url,
    port,
    httpServer,
    stop: () =>
      (stopping ??= (async () => {
        await apollo.stop();
        wsServer.close();
      })()),
  };
}
