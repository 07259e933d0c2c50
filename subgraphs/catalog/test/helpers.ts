import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import {
  createLogger,
  decodeIdentity,
  startSubgraphServer,
  type BaseContext,
  type Identity,
  type Infra,
  type RunningServer,
} from '@fashionistar/shared';
import {
  dataOf,
  type SubgraphAnswer,
  callSubgraph,
  createTestDatabase,
  createTestInfra,
  type TestDatabase,
} from '@fashionistar/shared/src/testing';
import { loadCatalogConfig } from '../src/config';
import { startCatalog, type RunningCatalog } from '../src/server';
import { createDataSource } from '@fashionistar/shared';

export interface FakeStore {
  status: 'PENDING' | 'APPROVED' | 'SUSPENDED';
  members: Record<string, 'OWNER' | 'STAFF'>;
}

export type GqlResult<T> = SubgraphAnswer<T>;

export interface TestCatalog {
  catalog: RunningCatalog;
  infra: Infra;
  /** The fake vendors subgraph's stores: edit them to change membership and status. */
  stores: Record<string, FakeStore>;
  /** Identities the fake vendors subgraph received (to check forwarding). */
  seenByVendors: Array<Identity | null>;
  call<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, identity?: Identity | null): Promise<GqlResult<T>>;
  ok<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, identity?: Identity | null): Promise<T>;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

let n = 0;
export const person = (roles: Identity['roles'] = ['VENDOR']): Identity => ({
  userId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  roles,
  sessionId: `10000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
});

/** A stand-in for the vendors subgraph: answers storeAccess/myStoreAccess from `stores`, checks the secret. */
async function fakeVendors(
  stores: Record<string, FakeStore>,
  seen: Array<Identity | null>,
  secret: string,
  db: TestDatabase,
): Promise<RunningServer> {
  const sdl = `
    type StoreAccess { vendorId: ID! status: String! memberRole: String }
    type Query { storeAccess(vendorIds: [ID!]!): [StoreAccess!]! myStoreAccess: StoreAccess }`;
  const access = (id: string, who: Identity | null) => ({
    vendorId: id,
    status: stores[id]!.status,
    memberRole: who ? (stores[id]!.members[who.userId] ?? null) : null,
  });
  const resolvers = {
    Query: {
      storeAccess: (_: unknown, { vendorIds }: { vendorIds: string[] }, ctx: BaseContext) => {
        seen.push(ctx.identity);
        return vendorIds.filter((id) => stores[id]).map((id) => access(id, ctx.identity));
      },
      myStoreAccess: (_: unknown, __: unknown, ctx: BaseContext) => {
        seen.push(ctx.identity);
        const id = Object.keys(stores).find((k) => ctx.identity && stores[k]!.members[ctx.identity.userId]);
        return id ? access(id, ctx.identity) : null;
      },
    },
  };
  const ds = createDataSource({ url: db.url, schema: 'fake_vendors', entities: [], migrations: [] });
  await ds.initialize();
  const server = await startSubgraphServer({
    name: 'vendors',
    port: 0,
    schema: buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: resolvers as never }),
    routerSecret: secret,
    production: false,
    log: createLogger('fake-vendors', 'silent'),
    infra: createTestInfra('memory'),
    dataSource: ds,
    buildContext: (base) => base,
  });
  return { ...server, stop: async () => (await server.stop(), await ds.destroy()) };
}

/** The catalog subgraph on a fresh database with a small seed, beside a fake vendors subgraph. */
export async function startTestCatalog(env: Record<string, string> = {}): Promise<TestCatalog> {
  const db = await createTestDatabase();
  const infra = createTestInfra('redis');
  const config = loadCatalogConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SEED_SCALE: '60', ...env });
  const stores: Record<string, FakeStore> = {};
  const seenByVendors: Array<Identity | null> = [];
  const vendors = await fakeVendors(stores, seenByVendors, config.ROUTER_SECRET, db);
  const peers = { vendors: vendors.url };
  const catalog = await startCatalog({ config, databaseUrl: db.url, infra, log: createLogger('catalog-test', 'silent'), peers, port: 0 });
  const call: TestCatalog['call'] = (query, variables = {}, identity = null) =>
    callSubgraph(catalog.url, config.ROUTER_SECRET, query, variables, { identity });
  return {
    catalog,
    infra,
    stores,
    seenByVendors,
    call,
    ok: async (query, variables, identity) => dataOf(await call(query, variables, identity)),
    sql: (text, params) => catalog.dataSource.query(text, params),
    stop: async () => {
      await catalog.stop();
      await vendors.stop();
      await infra.close();
      await db.drop();
    },
  };
}

export const codes = (r: { errors?: Array<{ extensions?: { code?: string } }> }) => (r.errors ?? []).map((e) => e.extensions?.code);
export { decodeIdentity };
