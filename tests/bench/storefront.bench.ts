/**
 * Storefront benchmark through the router at 10k products (BENCH_PRODUCTS): a product-list page
 * (20 products with vendor, price, rating, first image, category) and a product-detail query
 * (variants, images, specifications, reviews, rating), at the same concurrency. Prints RPS,
 * p50/p99 and the SQL statements each request ran across all subgraphs. Not a timed test: run it
 * with `npm run bench:storefront` (needs the test Postgres and Redis, like `npm test`).
 *   BENCH_PRODUCTS (10000)  BENCH_REQUESTS (2000)  BENCH_CONCURRENCY (16)
 */
import { performance } from 'node:perf_hooks';
import { startStack } from '../src/stack';
import { load, print } from './load';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 10_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

const LIST = `query($after: String) { products(first: 20, after: $after, sort: NEWEST) { totalCount edges { cursor node { id slug title
  price { amount currency } oldPrice { amount } vendor { id name slug } rating { average count } images { url alt } category { id name } } }
  pageInfo { hasNextPage endCursor } } }`;
const SEARCH = `{ products(first: 20, filter: { search: "ankara dress" }) { totalCount edges { node { id title price { amount } vendor { name } rating { average } } } } }`;
const DETAIL = `query($slug: String!) { product(slug: $slug) { id title description price { amount currency } oldPrice { amount } shippingAmount { amount }
  inStock vendor { id name slug } category { name parent { name } } brand { name } variants { id size colour stock price { amount } }
  images { url alt } specifications { name value } rating { average count distribution { stars count } }
  reviews(first: 5) { totalCount edges { node { rating title body author { firstName } } } } } }`;

async function main() {
  const t0 = performance.now();
  // Thousands of requests a minute from one address: the router's rate limits would refuse them.
  const stack = await startStack(
    { LOG_LEVEL: 'silent', RATE_LIMIT_PER_IP_PER_MINUTE: '0', RATE_LIMIT_PER_USER_PER_MINUTE: '0' },
    {},
    { SEED_SCALE: String(PRODUCTS) },
  );
  console.log(`stack with ${PRODUCTS} products ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  try {
    const page = await stack.gql<{ products: { edges: Array<{ node: { slug: string } }> } }, Record<string, never>>(
      `{ products(first: 100) { edges { node { slug } } } }`,
    );
    const slugs = page.data!.products.edges.map((e) => e.node.slug);
    let i = 0;
    const url = stack.router.url;
    const results = [
      await load('product list page (20 items)', url, () => JSON.stringify({ query: LIST }), {}, REQUESTS, CONCURRENCY),
      await load('search page (20 items, full text + trigram)', url, () => JSON.stringify({ query: SEARCH }), {}, REQUESTS, CONCURRENCY),
      await load(
        'product detail',
        url,
        () => JSON.stringify({ query: DETAIL, variables: { slug: slugs[i++ % slugs.length] } }),
        {},
        REQUESTS,
        CONCURRENCY,
      ),
    ];
    console.log(`\n${REQUESTS} requests each, concurrency ${CONCURRENCY}, ${PRODUCTS} products, through the router\n`);
    results.forEach(print);
  } finally {
    await stack.stop();
  }
}

void main();
