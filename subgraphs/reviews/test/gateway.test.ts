import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'graphql';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, LocalGraphQLDataSource, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { FORWARD_HEADERS, encodeIdentity, readSdl, readSubgraphConfig, type Identity } from '@fashionistar/shared';
import { addReview, identity, startTestReviews, type TestReviews } from './helpers';

interface GatewayContext {
  identity: Identity | null;
}

/** Calls the real reviews subgraph the way the router does: router secret and forwarded identity. */
class ReviewsSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly secret: string,
  ) {
    super({ url });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    request.http?.headers.set(FORWARD_HEADERS.secret, this.secret);
    const who = (context as Partial<GatewayContext>).identity;
    if (who) request.http?.headers.set(FORWARD_HEADERS.identity, encodeIdentity(who));
  }
}

/**
 * Stand-ins for the catalog (which answers null for a product the caller may not see: hidden by
 * an admin, or in a suspended store) and identity (`me`), in process.
 */
const CATALOG_SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Product @key(fields: "id") { id: ID! title: String! }`;
const IDENTITY_SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type User @key(fields: "id") { id: ID! }
  type Query { me: User }`;

describe('reviews behind the gateway: products the catalog withholds', () => {
  let t: TestReviews;
  let server: ApolloServer<GatewayContext>;
  const onSale = new Map<string, string>();

  before(async () => {
    t = await startTestReviews();
    const reviewsConfig = readSubgraphConfig().find((s) => s.name === 'reviews')!;
    const composed = composeServices([
      { name: 'reviews', url: t.server.url, typeDefs: parse(readSdl(reviewsConfig)) },
      { name: 'catalog', url: 'http://catalog.invalid/graphql', typeDefs: parse(CATALOG_SDL) },
      { name: 'identity', url: 'http://identity.invalid/graphql', typeDefs: parse(IDENTITY_SDL) },
    ]);
    if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
    const catalog = buildSubgraphSchema({
      typeDefs: parse(CATALOG_SDL),
      resolvers: {
        Product: {
          __resolveReference: (ref: { id: string }) => (onSale.has(ref.id) ? { id: ref.id, title: onSale.get(ref.id) } : null),
        },
      },
    });
    const identitySchema = buildSubgraphSchema({
      typeDefs: parse(IDENTITY_SDL),
      resolvers: {
        Query: {
          // Resolver contexts are typed `unknown` by @apollo/subgraph; the gateway passes its own.
          me: (_p: unknown, _a: unknown, ctx: unknown) => {
            const who = (ctx as GatewayContext).identity;
            return who ? { id: who.userId } : null;
          },
        },
      },
    });
    const gateway = new ApolloGateway({
      supergraphSdl: composed.supergraphSdl,
      buildService: ({ name, url }) =>
        name === 'catalog'
          ? new LocalGraphQLDataSource(catalog)
          : name === 'identity'
            ? new LocalGraphQLDataSource(identitySchema)
            : new ReviewsSource(url!, t.routerSecret),
    });
    server = new ApolloServer<GatewayContext>({ gateway });
    await server.start();
  });
  after(async () => {
    await server?.stop();
    await t.stop();
  });

  const run = async (query: string, who: Identity | null, variables: Record<string, unknown> = {}) => {
    const res = await server.executeOperation({ query, variables }, { contextValue: { identity: who } });
    assert.equal(res.body.kind, 'single');
    return res.body.kind === 'single' ? res.body.singleResult : { data: null, errors: [] };
  };

  it('answers my reviews with a null product where the catalog withholds it, not a null answer', async () => {
    const me = identity('CUSTOMER');
    const shown = t.product();
    const hidden = t.product();
    onSale.set(shown, 'Adire maxi dress');
    await addReview(t, me, hidden, 2);
    await addReview(t, me, shown, 5);
    // An admin hides the product (or suspends its store) after it was reviewed.

    const r = await run(`{ me { id reviews { totalCount edges { node { rating product { id title } } } } } }`, me);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.deepEqual(JSON.parse(JSON.stringify(r.data)), {
      me: {
        id: me.userId,
        reviews: {
          totalCount: 2,
          edges: [{ node: { rating: 5, product: { id: shown, title: 'Adire maxi dress' } } }, { node: { rating: 2, product: null } }],
        },
      },
    });
  });
});
