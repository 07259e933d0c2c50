import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ApolloServer } from '@apollo/server';
import { GraphQLError, GraphQLSchema, parse, type ExecutionArgs, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { formatError, type Identity } from '@fashionistar/shared/src/edge';
import { TokenRejected, type TokenVerifier } from './auth';
import type { RouterContext } from './gateway';
import type { SubscriptionExecutor } from './subscription-executor';

export interface SocketOptions {
  httpServer: Server;
  verifier: TokenVerifier;
  subscriptions: SubscriptionExecutor;
  production: boolean;
}

interface ConnectionExtra {
  [key: string | symbol]: unknown;
  identity?: Identity | null;
}

interface SocketOperation {
  router: RouterContext;
  query: string;
  variables: Record<string, unknown> | undefined;
  operationName: string | undefined;
}

// graphql-ws wants a schema in ExecutionArgs; execution never reads it here (Apollo runs the
// operation against the gateway's schema), so a placeholder keeps the types honest.
const PLACEHOLDER_SCHEMA = new GraphQLSchema({});

/**
 * graphql-ws on the router's /graphql. The access token travels in
 * `connectionParams.authorization` ("Bearer <jwt>"); no token connects anonymously, a bad one
 * closes the socket with 4403 Forbidden. Every operation sent over the socket runs through the
 * same Apollo pipeline as HTTP (validation, operation limits, gateway, error masking);
 * subscription operations are planned and run by the SubscriptionExecutor.
 */
export function attachWebSocket(o: SocketOptions) {
  const wsServer = new WebSocketServer({ server: o.httpServer, path: '/graphql' });
  let apollo: ApolloServer<RouterContext> | null = null;

  const maskError = (e: GraphQLError): GraphQLError => {
    const f = formatError(e instanceof GraphQLError ? e.toJSON() : (e as GraphQLFormattedError), o.production);
    return new GraphQLError(f.message, { path: e.path, extensions: f.extensions });
  };
  const mask = (result: ExecutionResult): ExecutionResult => (result.errors ? { ...result, errors: result.errors.map(maskError) } : result);

  const subscribe = async (args: ExecutionArgs) => {
    const op = args.contextValue as SocketOperation;
    const result = await o.subscriptions.subscribe(args.document, op.operationName, op.variables, op.router);
    if (!(Symbol.asyncIterator in result)) return mask(result);
    return (async function* () {
      for await (const event of result) yield mask(event);
    })();
  };

  const run = async (args: ExecutionArgs): Promise<ExecutionResult> => {
    const op = args.contextValue as SocketOperation;
    if (!apollo) return { errors: [new GraphQLError('The router is starting.', { extensions: { code: 'SERVICE_UNAVAILABLE' } })] };
    const response = await apollo.executeOperation(
      { query: op.query, variables: op.variables, operationName: op.operationName },
      { contextValue: op.router },
    );
    if (response.body.kind !== 'single') {
      return {
        errors: [new GraphQLError('Incremental delivery is not supported over WebSocket.', { extensions: { code: 'BAD_REQUEST' } })],
      };
    }
    // Apollo has already applied formatError to these.
    const { data, errors, extensions } = response.body.singleResult;
    return {
      data: data ?? null,
      ...(extensions ? { extensions } : {}),
      ...(errors ? { errors: errors.map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions })) } : {}),
    };
  };

  const cleanup = useServer<Record<string, unknown>, ConnectionExtra>(
    {
      onConnect: async (ctx) => {
        const auth = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        try {
          ctx.extra.identity = await o.verifier.verify(typeof auth === 'string' ? auth : undefined);
          return true;
        } catch (error) {
          if (error instanceof TokenRejected) return false;
          throw error;
        }
      },
      onSubscribe: (ctx, _id, payload) => {
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [new GraphQLError((error as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const op: SocketOperation = {
          router: {
            requestId: randomUUID(),
            identity: ctx.extra.identity ?? null,
            clientIp: ctx.extra.request.socket.remoteAddress ?? null,
            userAgent: (ctx.extra.request.headers['user-agent'] as string | undefined) ?? null,
          },
          query: payload.query,
          variables: payload.variables ?? undefined,
          operationName: payload.operationName ?? undefined,
        };
        return {
          schema: PLACEHOLDER_SCHEMA,
          document,
          contextValue: op,
          variableValues: payload.variables,
          operationName: payload.operationName,
        };
      },
      execute: run,
      subscribe,
    },
    wsServer,
  );

  return {
    bind(server: ApolloServer<RouterContext>) {
      apollo = server;
    },
    async dispose() {
      await cleanup.dispose();
      wsServer.close();
    },
  };
}
