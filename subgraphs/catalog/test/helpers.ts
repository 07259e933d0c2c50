import type { BaseContext, Identity } from '@fashionistar/shared';
import { startFakeSubgraph, startTestSubgraph, type SubgraphAnswer, type TestSubgraph } from '@fashionistar/shared/testing';
import { subgraph } from '../src/server';

export { codes } from '@fashionistar/shared/testing';
export { decodeIdentity } from '@fashionistar/shared';

export interface FakeStore {
  status: 'PENDING' | 'APPROVED' | 'SUSPENDED';
  members: Record<string, 'OWNER' | 'STAFF'>;
}

export type GqlResult<T> = SubgraphAnswer<T>;

type Running = Awaited<ReturnType<typeof subgraph.start>>;

export interface TestCatalog extends TestSubgraph<Running['config'], Running['deps']> {
  /** The fake vendors subgraph's stores: edit them to change membership and status. */
  stores: Record<string, FakeStore>;
  /** Identities the fake vendors subgraph received (to check forwarding). */
  seenByVendors: Array<Identity | null>;
}

let n = 0;
export const person = (roles: Identity['roles'] = ['VENDOR']): Identity => ({
  userId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  roles,
  sessionId: `10000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
});

/**
 * The catalog subgraph for a test (see startTestSubgraph) with a small seed, beside a fake
 * vendors subgraph answering storeAccess/myStoreAccess from `stores`.
 */
export async function startTestCatalog(env: Record<string, string> = {}): Promise<TestCatalog> {
  const peers: Record<string, string> = {};
  const t = await startTestSubgraph(subgraph, { env: { SEED_SCALE: '60', ...env }, peers });
  const stores: Record<string, FakeStore> = {};
  const seenByVendors: Array<Identity | null> = [];
  const access = (id: string, who: Identity | null) => ({
    vendorId: id,
    status: stores[id]!.status,
    memberRole: who ? (stores[id]!.members[who.userId] ?? null) : null,
    // Catalog reads only the role; a member's STAFF-level permissions stand in for the matrix.
    permissions: who && stores[id]!.members[who.userId] ? ['MANAGE_PRODUCTS', 'MANAGE_STOCK'] : [],
  });
  const vendors = await startFakeSubgraph({
    name: 'vendors',
    typeDefs: `type StoreAccess { vendorId: ID! status: String! memberRole: String permissions: [String!]! }
               type Query { storeAccess(vendorIds: [ID!]!): [StoreAccess!]! myStoreAccess: StoreAccess }`,
    resolvers: {
      Query: {
        storeAccess: (_: unknown, { vendorIds }: { vendorIds: string[] }, ctx: BaseContext) => {
          seenByVendors.push(ctx.identity);
          return vendorIds.filter((id) => stores[id]).map((id) => access(id, ctx.identity));
        },
        myStoreAccess: (_: unknown, __: never, ctx: BaseContext) => {
          seenByVendors.push(ctx.identity);
          const id = Object.keys(stores).find((k) => ctx.identity && stores[k]!.members[ctx.identity.userId]);
          return id ? access(id, ctx.identity) : null;
        },
      },
    },
    routerSecret: t.server.config.ROUTER_SECRET,
    dataSource: t.server.dataSource,
  });
  peers.vendors = vendors.url;
  return {
    ...t,
    stores,
    seenByVendors,
    stop: async () => {
      await vendors.stop();
      await t.stop();
    },
  };
}
