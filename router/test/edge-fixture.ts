/**
 * A router in front of fake subgraphs, for tests of what the router does at the edge (CORS,
 * tokens, the refresh cookie) without Postgres: a fake `identity` and a fake `catalog` composed
 * into a small supergraph, a JWKS server with a test key, and helpers to sign access tokens.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { parse } from 'graphql';
import { composeServices } from '@apollo/composition';
import { FORWARD_HEADERS, SET_REFRESH_COOKIE_HEADER, createLogger, revokedSessionKey, type Infra } from '@fashionistar/shared/edge';
import { createTestInfra, startFakeSubgraph } from '@fashionistar/shared/testing';
import type { BaseContext, RunningServer } from '@fashionistar/shared';
import { loadRouterConfig } from '../src/config';
import { startRouter, type RunningRouter } from '../src/router';

const SECRET = 'edge-test-router-secret';
const ISSUER = 'fashionistar-identity';
const AUDIENCE = 'fashionistar';

const IDENTITY_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { me: User  ping: String }
  type User @key(fields: "id") { id: ID!  email: String }
  enum RefreshTokenDelivery { BODY COOKIE }
  type AuthPayload { accessToken: String!  refreshToken: String }
  type Mutation {
    login(email: String!, refreshTokenIn: RefreshTokenDelivery): AuthPayload!
    refresh(refreshToken: String, refreshTokenIn: RefreshTokenDelivery): AuthPayload!
    logout(refreshToken: String): Boolean!
    updateName(name: String!): User
  }
`;

const CATALOG_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { products: [Product!]! }
  type Product { id: ID!  name: String! }
  type Mutation {
    """Misbehaves: answers the refresh-cookie header that only identity may send."""
    stealCookie: Boolean!
  }
`;

/** What the fake subgraphs saw, per request (the last request wins). */
export interface Seen {
  identityCookie: string | null | undefined;
  identityUserId: string | null | undefined;
  catalogCookie: string | null | undefined;
}

interface FakeContext extends BaseContext {
  forwardedCookie?: string | null;
  answerHeader?: string;
}

export interface EdgeFixture {
  router: RunningRouter;
  infra: Infra;
  seen: Seen;
  /** What identity answers in SET_REFRESH_COOKIE_HEADER for `login`/`refresh` in COOKIE mode. */
  identityCookieAnswer: { value: string };
  /** Signs an access token with the JWKS's key (claims and options overridable). */
  token(o?: {
    sub?: string;
    sid?: string;
    /** Seconds until `exp`; null signs a token without `exp`. */
    expiresIn?: number | null;
    issuer?: string;
    audience?: string;
    key?: KeyObject;
    kid?: string;
  }): string;
  /** Puts a session on the revoked-session list, as identity does on logout. */
  revoke(sid: string): Promise<void>;
  post(body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Another router on the same fakes with other settings. */
  extraRouter(env: Record<string, string>): Promise<RunningRouter>;
  stop(): Promise<void>;
}

export async function startEdgeFixture(routerEnv: Record<string, string> = {}): Promise<EdgeFixture> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' }] };
  const jwksServer: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;

  const seen: Seen = { identityCookie: undefined, identityUserId: undefined, catalogCookie: undefined };
  const identityCookieAnswer = { value: 'rt-from-identity;2592000' };
  const cookieMode = (args: { refreshTokenIn?: string | null }) => args.refreshTokenIn === 'COOKIE';

  const readForwardedCookie = {
    async requestDidStart({ request, contextValue }: { request: { http?: { headers: Map<string, string> } }; contextValue: FakeContext }) {
      contextValue.forwardedCookie = request.http?.headers.get(FORWARD_HEADERS.refreshCookie) ?? null;
      return {
        async willSendResponse({
          contextValue: ctx,
          response,
        }: {
          contextValue: FakeContext;
          response: { http: { headers: Map<string, string> } };
        }) {
          if (ctx.answerHeader !== undefined) response.http.headers.set(SET_REFRESH_COOKIE_HEADER, ctx.answerHeader);
        },
      };
    },
  };

  const identity: RunningServer = await startFakeSubgraph({
    name: 'identity',
    typeDefs: IDENTITY_SDL,
    routerSecret: SECRET,
    plugins: [readForwardedCookie as never],
    resolvers: {
      Query: {
        me: (_p, _a, ctx: FakeContext) => {
          seen.identityCookie = ctx.forwardedCookie;
          seen.identityUserId = ctx.identity?.userId ?? null;
          return ctx.identity ? { id: ctx.identity.userId, email: 'someone@example.com' } : null;
        },
        ping: () => 'pong',
      },
      Mutation: {
        login: (_p, args: { refreshTokenIn?: string }, ctx: FakeContext) => {
          seen.identityUserId = ctx.identity?.userId ?? null;
          if (cookieMode(args)) ctx.answerHeader = identityCookieAnswer.value;
          return { accessToken: 'access', refreshToken: cookieMode(args) ? null : 'rt-in-body' };
        },
        refresh: (_p, args: { refreshToken?: string; refreshTokenIn?: string }, ctx: FakeContext) => {
          seen.identityCookie = ctx.forwardedCookie;
          seen.identityUserId = ctx.identity?.userId ?? null;
          const useCookie = cookieMode(args) || (!args.refreshToken && !!ctx.forwardedCookie);
          if (useCookie) ctx.answerHeader = identityCookieAnswer.value;
          return { accessToken: 'access-2', refreshToken: useCookie ? null : 'rt-2' };
        },
        logout: (_p, _a, ctx: FakeContext) => {
          seen.identityCookie = ctx.forwardedCookie;
          seen.identityUserId = ctx.identity?.userId ?? null;
          ctx.answerHeader = '';
          return true;
        },
        updateName: (_p, args: { name: string }, ctx) => (ctx.identity ? { id: ctx.identity.userId, email: args.name } : null),
      },
    },
  });
  const catalog: RunningServer = await startFakeSubgraph({
    name: 'catalog',
    typeDefs: CATALOG_SDL,
    routerSecret: SECRET,
    plugins: [readForwardedCookie as never],
    resolvers: {
      Query: {
        products: (_p, _a, ctx: FakeContext) => {
          seen.catalogCookie = ctx.forwardedCookie;
          return [{ id: 'p1', name: 'Ankara dress' }];
        },
      },
      Mutation: {
        stealCookie: (_p, _a, ctx: FakeContext) => {
          seen.catalogCookie = ctx.forwardedCookie;
          ctx.answerHeader = 'stolen;3600';
          return true;
        },
      },
    },
  });

  const composed = composeServices([
    { name: 'identity', url: identity.url, typeDefs: parse(IDENTITY_SDL) },
    { name: 'catalog', url: catalog.url, typeDefs: parse(CATALOG_SDL) },
  ]);
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  const dir = mkdtempSync(join(tmpdir(), 'fsg-edge-'));
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, composed.supergraphSdl);

  const infra = createTestInfra('memory');
  const log = createLogger('edge-test', 'silent');
  const routers: RunningRouter[] = [];
  const makeRouter = async (env: Record<string, string>) => {
    const r = await startRouter({
      config: loadRouterConfig({ NODE_ENV: 'test', SUPERGRAPH_PATH: supergraphPath, JWKS_URL: jwksUrl, ROUTER_SECRET: SECRET, ...env }),
      infra,
      log,
      port: 0,
      urlOverrides: { identity: identity.url, catalog: catalog.url },
    });
    routers.push(r);
    return r;
  };
  const router = await makeRouter(routerEnv);

  return {
    router,
    infra,
    seen,
    identityCookieAnswer,
    token: (o = {}) =>
      jwt.sign(
        {
          sid: o.sid ?? randomUUID(),
          roles: ['CUSTOMER'],
          ...(o.expiresIn === null ? {} : { exp: Math.floor(Date.now() / 1000) + (o.expiresIn ?? 900) }),
        },
        o.key ?? privateKey,
        {
          algorithm: 'ES256',
          keyid: o.kid ?? 'k1',
          subject: o.sub ?? randomUUID(),
          issuer: o.issuer ?? ISSUER,
          audience: o.audience ?? AUDIENCE,
        },
      ),
    revoke: (sid) => infra.kv.set(revokedSessionKey(sid), '1', 900),
    post: (body, headers = {}) =>
      fetch(router.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }),
    extraRouter: makeRouter,
    stop: async () => {
      for (const r of routers) await r.stop();
      await identity.stop();
      await catalog.stop();
      await infra.close();
      await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
