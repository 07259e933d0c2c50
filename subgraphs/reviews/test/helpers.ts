import { randomUUID } from 'node:crypto';
import type { BaseContext, Identity, Role } from '@fashionistar/shared';
import { startFakeSubgraph, startTestSubgraph, type SubgraphAnswer, type TestSubgraph } from '@fashionistar/shared/testing';
import { subgraph } from '../src/server';

export { codes } from '@fashionistar/shared/testing';

export type GqlResult<T = Record<string, unknown>> = SubgraphAnswer<T>;

/** A made-up identity, as the router would forward it after verifying a token. */
export function identity(...roles: Role[]): Identity {
  return { userId: randomUUID(), roles: roles.length ? roles : ['CUSTOMER'], sessionId: randomUUID() };
}

/** What a fake subgraph was asked, and as whom. */
export interface PeerCall {
  field: string;
  ids: string[];
  identity: Identity | null;
}

/**
 * In-memory answers of the catalog and vendors subgraphs (which the reviews subgraph asks at
 * write time): products with their store and status, and store members.
 */
export interface Fixtures {
  /** `visible` (default true) is false for a product an admin hid or whose store is suspended. */
  products: Map<string, { vendorId: string; status: string; visible?: boolean }>;
  /** `${vendorId}:${userId}` → role in the store. */
  members: Map<string, string>;
}

type Running = Awaited<ReturnType<typeof subgraph.start>>;

export interface TestReviews extends TestSubgraph<Running['config'], Running['deps']> {
  fixtures: Fixtures;
  /** Every call the fake catalog and vendors subgraphs received, in order. */
  calls: PeerCall[];
  /** The peers map the subgraph reads at call time (tests may point a peer elsewhere). */
  peers: Record<string, string>;
  routerSecret: string;
  /**
   * Registers a product with the fake catalog; PUBLISHED by a fresh store and visible unless told
   * otherwise (`visible: false` is a product an admin hid or whose store is suspended).
   */
  product(status?: string, vendorId?: string, visible?: boolean): string;
}

/** The fake catalog (productOwners) and vendors (storeAccess) subgraphs, answering from `fixtures`. */
function fakePeers(fixtures: Fixtures, calls: PeerCall[], t: TestSubgraph) {
  const record = (field: string, ids: string[], ctx: BaseContext) => calls.push({ field, ids, identity: ctx.identity });
  const common = { routerSecret: t.server.config.ROUTER_SECRET, dataSource: t.server.dataSource };
  return Promise.all([
    startFakeSubgraph({
      ...common,
      name: 'catalog',
      typeDefs: `type ProductOwner { productId: ID! vendorId: ID! status: String! visible: Boolean! }
                 type Query { productOwners(ids: [ID!]!): [ProductOwner!]! }`,
      resolvers: {
        Query: {
          productOwners: (_: unknown, { ids }: { ids: string[] }, ctx: BaseContext) => {
            record('productOwners', ids, ctx);
            return ids.flatMap((id) => {
              const p = fixtures.products.get(id);
              return p ? [{ productId: id, vendorId: p.vendorId, status: p.status, visible: p.visible ?? true }] : [];
            });
          },
        },
      },
    }),
    startFakeSubgraph({
      ...common,
      name: 'vendors',
      typeDefs: `type StoreAccess { vendorId: ID! status: String! memberRole: String permissions: [String!]! }
                 type Query { storeAccess(vendorIds: [ID!]!): [StoreAccess!]! }`,
      resolvers: {
        Query: {
          storeAccess: (_: unknown, { vendorIds }: { vendorIds: string[] }, ctx: BaseContext) => {
            record('storeAccess', vendorIds, ctx);
            const known = new Set([...fixtures.products.values()].map((p) => p.vendorId));
            return vendorIds
              .filter((v) => known.has(v))
              .map((vendorId) => {
                const memberRole = ctx.identity ? (fixtures.members.get(`${vendorId}:${ctx.identity.userId}`) ?? null) : null;
                // Reviews reads only the role; a member's reply permission stands in for the matrix.
                return { vendorId, status: 'APPROVED', memberRole, permissions: memberRole ? ['REPLY_TO_REVIEWS'] : [] };
              });
          },
        },
      },
    }),
  ]);
}

/**
 * The reviews subgraph for a test (see startTestSubgraph), unseeded, with fake catalog and
 * vendors subgraphs as peers.
 */
export async function startTestReviews(env: Record<string, string> = {}): Promise<TestReviews> {
  const peers: Record<string, string> = {};
  const t = await startTestSubgraph(subgraph, { env: { SEED: 'false', ...env }, peers });
  const fixtures: Fixtures = { products: new Map(), members: new Map() };
  const calls: PeerCall[] = [];
  const [catalog, vendors] = await fakePeers(fixtures, calls, t);
  peers.catalog = catalog.url;
  peers.vendors = vendors.url;
  return {
    ...t,
    fixtures,
    calls,
    peers,
    routerSecret: t.server.config.ROUTER_SECRET,
    product: (status = 'PUBLISHED', vendorId = randomUUID(), visible = true) => {
      const id = randomUUID();
      fixtures.products.set(id, { vendorId, status, visible });
      return id;
    },
    stop: async () => {
      await catalog.stop();
      await vendors.stop();
      await t.stop();
    },
  };
}

/** The `field` extensions of a result's errors. */
export const fields = (r: GqlResult): string[] => (r.errors ?? []).map((e) => String(e.extensions?.field));

export const REVIEW_FIELDS = `id rating title body status verifiedPurchase helpfulCount notHelpfulCount myVote hiddenReason
  createdAt updatedAt product { id } author { id } reply { body createdAt }`;

export interface ReviewView {
  id: string;
  rating: number;
  title: string | null;
  body: string;
  status: 'VISIBLE' | 'HIDDEN';
  verifiedPurchase: boolean;
  helpfulCount: number;
  notHelpfulCount: number;
  myVote: boolean | null;
  hiddenReason: string | null;
  createdAt: string;
  updatedAt: string;
  product: { id: string };
  author: { id: string };
  reply: { body: string; createdAt: string } | null;
}

export const ADD = `mutation($i: AddReviewInput!) { addReview(input: $i) { ${REVIEW_FIELDS} } }`;

/** Adds a review that must succeed. */
export async function addReview(
  t: TestReviews,
  as: Identity,
  productId: string,
  rating: number,
  body = 'Lovely fabric, true to size.',
  title: string | null = null,
): Promise<ReviewView> {
  return (await t.ok<{ addReview: ReviewView }>(ADD, { i: { productId, rating, body, title } }, as)).addReview;
}

export interface RatingView {
  average: number | null;
  count: number;
  distribution: Array<{ stars: number; count: number }>;
}

/** A product's rating through `_entities`, as the router would fetch it. */
export async function ratingOf(t: TestReviews, productId: string): Promise<RatingView> {
  const d = await t.ok<{ _entities: Array<{ rating: RatingView }> }>(
    `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { rating { average count distribution { stars count } } } } }`,
    { r: [{ __typename: 'Product', id: productId }] },
  );
  return d._entities[0]!.rating;
}

/** The stored aggregate next to one recomputed from the reviews: they must always be equal. */
export async function aggregateVsReviews(t: TestReviews, productId: string): Promise<{ stored: unknown; computed: unknown }> {
  const cols = `count::int AS count, sum::int AS sum, s1::int AS s1, s2::int AS s2, s3::int AS s3, s4::int AS s4, s5::int AS s5`;
  const [stored] = await t.sql(
    `SELECT ${cols} FROM (SELECT count, sum, stars_1 s1, stars_2 s2, stars_3 s3, stars_4 s4, stars_5 s5 FROM product_rating WHERE product_id = $1) x`,
    [productId],
  );
  const [computed] = await t.sql(
    `SELECT ${cols} FROM (SELECT count(*) count, coalesce(sum(rating), 0) sum,
        count(*) FILTER (WHERE rating = 1) s1, count(*) FILTER (WHERE rating = 2) s2, count(*) FILTER (WHERE rating = 3) s3,
        count(*) FILTER (WHERE rating = 4) s4, count(*) FILTER (WHERE rating = 5) s5
       FROM review WHERE product_id = $1 AND status = 'VISIBLE') x`,
    [productId],
  );
  return { stored: stored ?? { count: 0, sum: 0, s1: 0, s2: 0, s3: 0, s4: 0, s5: 0 }, computed };
}

export interface RatingEvent {
  productId: string;
  average: number | null;
  count: number;
  version: number;
}

/**
 * Payloads of `reviews.product-rating.changed` events for a product, in the order of their
 * `version` (the order the aggregate changes committed in, which occurredAt is not).
 */
export async function ratingEvents(t: TestReviews, productId: string): Promise<RatingEvent[]> {
  const rows = await t.sql<{ payload: RatingEvent }>(
    `SELECT payload FROM outbox_event WHERE type = 'reviews.product-rating.changed' AND version = 1 AND payload->>'productId' = $1
      ORDER BY (payload->>'version')::bigint, occurred_at`,
    [productId],
  );
  return rows.map((r) => r.payload);
}
