import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { print, type DocumentNode } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createLogger, readSubgraphConfig, repoRoot, type AnySubgraphModule, type Infra, type RunningServer } from '@fashionistar/shared';
import { createTestDatabase, createTestInfra } from '@fashionistar/shared/testing';
import { subgraph as identitySubgraph, type RunningIdentity } from '@fashionistar/identity/src/server';
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
  /** Every other subgraph of schema/subgraphs.json, by name. */
  subgraphs: Record<string, RunningServer>;
  /** Subgraph name → URL. */
  urls: Record<string, string>;
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
 * The supergraph for end-to-end tests: every subgraph of schema/subgraphs.json and the router on
 * free ports, a fresh database, Redis under a unique prefix. Everything talks over real
 * HTTP/WebSocket. `subgraphEnv` goes to every subgraph but identity (e.g. SEED_SCALE).
 */
export async function startStack(
  routerEnv: Record<string, string> = {},
  identityEnv: Record<string, string> = {},
  subgraphEnv: Record<string, string> = {},
): Promise<Stack> {
  const db = await createTestDatabase();
  const infra = createTestInfra('redis');
  const keysDir = mkdtempSync(join(tmpdir(), 'fsg-keys-'));
  const log = createLogger('e2e', 'silent');
  const identity = await identitySubgraph.start({
    env: { NODE_ENV: 'test', JWT_KEYS_DIR: keysDir, AUTH_ATTEMPTS_PER_IP: '1000', JWT_KEY_ACTIVATION_SECONDS: '0', ...identityEnv },
    databaseUrl: db.url,
    infra,
    log,
    providers: {},
    peers: {},
    port: 0,
  });
  const urls: Record<string, string> = { identity: identity.url };
  const subgraphs: Record<string, RunningServer> = {};
  const others = readSubgraphConfig().filter((c) => c.name !== 'identity');
  const started = await Promise.all(
    others.map(async (c) => {
      const mod = (await import(c.package)) as { subgraph: AnySubgraphModule };
      const env = { NODE_ENV: 'test', SEED_SCALE: '200', ...subgraphEnv };
      return mod.subgraph.start({ databaseUrl: db.url, infra, log, providers: {}, env, peers: urls, port: 0 });
    }),
  );
  others.forEach((c, i) => {
    subgraphs[c.name] = started[i]!;
    urls[c.name] = started[i]!.url;
  });
  const supergraph = join(repoRoot(), 'schema/supergraph.graphql');
  const routers: RunningRouter[] = [];
  const makeRouter = async (env: Record<string, string>, urlOverrides: Record<string, string> = urls) => {
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
    subgraphs,
    urls,
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
      for (const sg of Object.values(subgraphs)) await sg.stop();
      await identity.stop();
      await infra.close();
      await db.drop();
      rmSync(keysDir, { recursive: true, force: true });
    },
  };
}

export const codes = (r: { errors?: Array<{ extensions?: Record<string, unknown> }> }): string[] =>
  (r.errors ?? []).map((e) => String(e.extensions?.code));
