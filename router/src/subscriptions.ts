import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ApolloServer } from '@apollo/server';
import { GraphQLError, GraphQLSchema, parse, type ExecutionArgs, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { formatError, type Identity } from '@fashionistar/shared/edge';
import {
  SESSION_ENDED_MESSAGE,
  TOKEN_EXPIRED_MESSAGE,
  TokenRejected,
  type TokenRejectionReason,
  type TokenVerifier,
  type VerifiedToken,
} from './auth';
import { clientIp } from './client-ip';
import { rateLimitMessage, type RouterRateLimiter } from './rate-limit';
import { notAllowedError } from './persisted-queries';
import type { RouterContext } from './gateway';
import { mapIterator } from './iterators';
import type { SubscriptionExecutor } from './subscription-executor';

export interface SocketOptions {
  httpServer: Server;
  verifier: TokenVerifier;
  subscriptions: SubscriptionExecutor;
  production: boolean;
  /** Reverse proxies in front of the router whose X-Forwarded-For entries count (TRUST_PROXY). */
  trustedProxyHops?: number;
  /** How often a signed-in connection with live subscriptions re-checks its session (ms). */
  revocationCheckMs?: number;
  /** Most lexical tokens in one document (MAX_TOKENS), as on HTTP. */
  maxTokens?: number;
  /** Counts connection_init (per IP) and subscribe messages (per IP and per user). */
  rateLimiter?: RouterRateLimiter;
  /** Allow-list mode: whether a document's text may run (subscriptions do not pass Apollo's plugins). */
  allowsDocument?: (query: string) => boolean;
}

/** Close code of a connection_init over the rate limit (HTTP's 429, as graphql-ws uses it for too many inits). */
export const RATE_LIMITED_CLOSE_CODE = 4429;

/** Close code (and reason) of a socket whose token stopped being valid: graphql-ws's Forbidden. */
export const FORBIDDEN_CLOSE = { code: 4403, reason: 'Forbidden' } as const;

/**
 * The close reason of a socket refused for its token: `Forbidden: <reason>` (TOKEN_EXPIRED,
 * SESSION_ENDED or TOKEN_INVALID, as `extensions.reason` over HTTP), so a client knows whether to
 * refresh and reconnect or to sign in again.
 */
export const forbiddenReason = (reason: TokenRejectionReason): string => `${FORBIDDEN_CLOSE.reason}: ${reason}`;
const DEFAULT_REVOCATION_CHECK_MS = 5000;
/** setTimeout's longest delay; longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface ConnectionExtra {
  [key: string | symbol]: unknown;
  /** The signed-in caller of this connection; absent for an anonymous one. */
  auth?: ConnectionAuth;
}

/**
 * The token a connection signed in with, kept for as long as the connection lives. The token is
 * checked again on every operation (not expired, session not revoked), the socket is closed with
 * 4403 when the token expires, and while subscriptions are running the revoked-session list is
 * polled, so a logout or revocation also ends subscriptions that never send another operation.
 */
class ConnectionAuth {
  readonly identity: Identity;
  private readonly expiresAt: number;
  private expiryTimer: NodeJS.Timeout | null = null;
  private revocationTimer: NodeJS.Timeout | null = null;
  private activeSubscriptions = 0;
  private closed = false;

  constructor(
    verified: VerifiedToken,
    private readonly socket: WebSocket,
    private readonly verifier: TokenVerifier,
    private readonly checkMs: number,
  ) {
    this.identity = verified.identity;
    this.expiresAt = verified.expiresAt;
    socket.once('close', () => this.dispose());
    this.armExpiry();
  }

  /** Why the token no longer holds (expired, or its session revoked), or null while it does. */
  async problem(): Promise<TokenRejectionReason | null> {
    if (this.closed) return 'SESSION_ENDED';
    if (this.expired()) return 'TOKEN_EXPIRED';
    return (await this.verifier.isRevoked(this.identity.sessionId)) ? 'SESSION_ENDED' : null;
  }

  /** Closes the socket with 4403; graphql-ws then stops every operation of the connection. */
  forbid(reason: TokenRejectionReason): void {
    if (this.closed) return;
    this.dispose();
    this.socket.close(FORBIDDEN_CLOSE.code, forbiddenReason(reason));
  }

  /** A subscription started; the answer, called when it ends, stops counting it (once). */
  track(): () => void {
    this.activeSubscriptions++;
    if (this.activeSubscriptions === 1 && !this.closed) {
      this.revocationTimer = setInterval(() => void this.recheck(), this.checkMs);
      this.revocationTimer.unref();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.activeSubscriptions--;
      if (this.activeSubscriptions === 0 && this.revocationTimer) {
        clearInterval(this.revocationTimer);
        this.revocationTimer = null;
      }
    };
  }

  private async recheck(): Promise<void> {
    try {
      const problem = await this.problem();
      if (problem) this.forbid(problem);
    } catch {
      // The KV store is unreachable: keep the connection and try again on the next tick; every
      // new operation still checks (and fails closed).
    }
  }

  private expired(): boolean {
    return Date.now() >= this.expiresAt;
  }

  private armExpiry(): void {
    if (this.closed || !Number.isFinite(this.expiresAt)) return;
    if (this.expired()) return this.forbid('TOKEN_EXPIRED');
    // Re-armed until the deadline has really passed (timers may fire a little early, and
    // setTimeout cannot wait longer than ~24.8 days).
    this.expiryTimer = setTimeout(() => this.armExpiry(), Math.min(this.expiresAt - Date.now() + 1, MAX_TIMER_MS));
    this.expiryTimer.unref();
  }

  private dispose(): void {
    this.closed = true;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    if (this.revocationTimer) clearInterval(this.revocationTimer);
    this.expiryTimer = null;
    this.revocationTimer = null;
  }
}

interface SocketOperation {
  connection: ConnectionAuth | undefined;
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
 * closes the socket with 4403 and the reason `Forbidden: TOKEN_EXPIRED | SESSION_ENDED |
 * TOKEN_INVALID` (see forbiddenReason).
 *
 * A signed-in connection is not trusted forever. Every operation re-checks that the token has not
 * expired and that its session is not on the revoked-session list (logout, revocation, password
 * change…); when either fails the socket is closed with 4403 Forbidden — deliberately, rather
 * than answering UNAUTHENTICATED for that one operation, because closing also ends the
 * connection's running subscriptions, which would otherwise keep serving a signed-out user. The
 * socket is also closed with 4403 when the token expires (a timer per connection) and when a
 * periodic check (every `revocationCheckMs`, default 5 s, only while the connection has
 * subscriptions running) finds the session revoked. Clients reconnect with a fresh token.
 *
 * Every operation sent over the socket runs through the same Apollo pipeline as HTTP
 * (validation, operation limits, gateway, error masking); subscription operations are planned
 * and run by the SubscriptionExecutor. The client IP honours TRUST_PROXY as on HTTP.
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
    // Not an async generator: its return() must reach the upstream at once (see iterators.ts).
    return mapIterator(result, mask, { onEnd: op.connection?.track() });
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
        const { request, socket } = ctx.extra;
        const refused = await o.rateLimiter?.hitIp(
          clientIp(request.socket.remoteAddress, request.headers['x-forwarded-for'], o.trustedProxyHops ?? 0),
        );
        if (refused) {
          socket.close(RATE_LIMITED_CLOSE_CODE, `Rate limited: retry after ${refused.retryAfterSeconds} s`);
          return false;
        }
        const auth = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        let verified: VerifiedToken | null;
        try {
          verified = await o.verifier.authenticate(typeof auth === 'string' ? auth : undefined);
        } catch (error) {
          if (!(error instanceof TokenRejected)) throw error;
          // graphql-ws would close with a bare "Forbidden"; the same code, with the reason.
          ctx.extra.socket.close(FORBIDDEN_CLOSE.code, forbiddenReason(error.reason));
          return false;
        }
        if (verified) {
          const socket = ctx.extra.socket;
          // Closed while the token was checked: its 'close' would never reach ConnectionAuth.
          if (socket.readyState !== socket.OPEN) return false;
          ctx.extra.auth = new ConnectionAuth(verified, socket, o.verifier, o.revocationCheckMs ?? DEFAULT_REVOCATION_CHECK_MS);
        }
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const connection = ctx.extra.auth;
        const problem = connection ? await connection.problem() : null;
        if (connection && problem) {
          connection.forbid(problem);
          // Not sent (the socket is closing); graphql-ws only needs an answer for the operation.
          const message = problem === 'TOKEN_EXPIRED' ? TOKEN_EXPIRED_MESSAGE : SESSION_ENDED_MESSAGE;
          return [new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', reason: problem } })];
        }
        const request = ctx.extra.request;
        const ip = clientIp(request.socket.remoteAddress, request.headers['x-forwarded-for'], o.trustedProxyHops ?? 0);
        const refused = (await o.rateLimiter?.hitIp(ip)) ?? (await o.rateLimiter?.hitUser(connection?.identity.userId));
        if (refused) {
          const { retryAfterSeconds, limit } = refused;
          return [new GraphQLError(rateLimitMessage(refused), { extensions: { code: 'RATE_LIMITED', retryAfterSeconds, limit } })];
        }
        if (o.allowsDocument && !o.allowsDocument(payload.query)) return [notAllowedError(false)];
        let document;
        try {
          document = parse(payload.query, { maxTokens: o.maxTokens });
        } catch (error) {
          return [new GraphQLError((error as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const op: SocketOperation = {
          connection,
          router: {
            requestId: randomUUID(),
            identity: connection?.identity ?? null,
            clientIp: ip,
            userAgent: (request.headers['user-agent'] as string | undefined) ?? null,
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
    /** Sockets open now (the `websocket_connections` metric). */
    openSockets: () => wsServer.clients.size,
    bind(server: ApolloServer<RouterContext>) {
      apollo = server;
    },
    async dispose() {
      await cleanup.dispose();
      wsServer.close();
    },
  };
}
