import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { print, type DocumentNode } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createLogger, createTestDatabase, createTestInfra, repoRoot, type Infra } from '@fashionistar/shared';
import { loadIdentityConfig } from '@fashionistar/identity/src/config';
import { startIdentity, type RunningIdentity } from '@fashionistar/identity/src/server';
import { loadRouterConfig } from '@fashionistar/router/src/config';
import { startRouter, type RunningRouter } from '@fashionistar/router/src/router';

export interface GqlResponse<T> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export interface Stack {
  router: RunningRouter;
  identity: RunningIdentity;
  infra: Infra;
  /** Base URL of the router (no path). */
  origin: string;
  gql<T, V extends Record<string, unknown>>(
    doc: TypedDocumentNode<T, V> | DocumentNode | string,
    variables?: V,
    token?: string,
    headers?: Record<string, string>,
  ): Promise<GqlResponse<T>>;
  /** Starts another router on the same subgraphs with different settings. */
  extraRouter(env: Record<string, string>, urlOverrides?: Record<string, string>): Promise<RunningRouter>;
  stop(): Promise<void>;
}

/**
 * The supergraph for end-to-end tests: the identity subgraph and the router on free ports, a
 * fresh database, Redis under a unique prefix. Everything talks over real HTTP/WebSocket.
 */
export async function startStack(routerEnv: Record<string, string> = {}, identityEnv: Record<string, string> = {}): Promise<Stack> {
  const db = await createTestDatabase();
  const infra = createTestInfra('redis');
  const keysDir = mkdtempSync(join(tmpdir(), 'fsg-keys-'));
  const log = createLogger('e2e', 'silent');
  const identity = await startIdentity({
    config: loadIdentityConfig({ NODE_ENV: 'test', JWT_KEYS_DIR: keysDir, AUTH_ATTEMPTS_PER_IP: '1000', ...identityEnv }),
    databaseUrl: db.url,
    infra,
    log,
    providers: {},
    port: 0,
  });
  const supergraph = join(repoRoot(), 'schema/supergraph.graphql');
  const routers: RunningRouter[] = [];
  const makeRouter = async (env: Record<string, string>, urlOverrides = { identity: identity.url }) => {
    const r = await startRouter({
      config: loadRouterConfig({ NODE_ENV: 'test', SUPERGRAPH_PATH: supergraph, ...env }),
      infra,
      log,
      port: 0,
      urlOverrides,
    });
    routers.push(r);
    return r;
  };
  const router = await makeRouter(routerEnv);
  const origin = router.url.replace(/\/graphql$/, '');
  return {
    router,
    identity,
    infra,
    origin,
    gql: async (doc, variables, token, headers = {}) => {
      const query = typeof doc === 'string' ? doc : print(doc);
      const res = await fetch(router.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, ...((await res.json()) as object) };
    },
    extraRouter: makeRouter,
    stop: async () => {
      for (const r of routers) await r.stop();
      await identity.stop();
      await infra.close();
      await db.drop();
      rmSync(keysDir, { recursive: true, force: true });
    },
  };
}

export const codes = (r: { errors?: Array<{ extensions?: Record<string, unknown> }> }): string[] =>
  (r.errors ?? []).map((e) => String(e.extensions?.code));
