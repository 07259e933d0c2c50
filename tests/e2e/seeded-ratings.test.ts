import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../src/stack';

describe('seeded ratings reach the catalog', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({}, {}, { SEED_SCALE: '80' });
  });
  after(() => s.stop());

  it('sorts the seeded catalog by rating once the reviews snapshot is relayed', async () => {
    const query = `{ products(first: 80, sort: RATING) { edges { node { id rating { average count } } } } }`;
    type Edge = { node: { rating: { average: number | null; count: number } } };
    // Sorted by the catalog's copy, yet consistent with the reviews subgraph's own figures: true
    // only once the snapshot events have been relayed and applied (before, every copy is empty).
    const consistent = (edges: Edge[]) =>
      edges.length === 80 &&
      edges[0]!.node.rating.count > 0 &&
      edges.every((e, i) => {
        if (i === 0) return true;
        const [a, b] = [edges[i - 1]!.node.rating, e.node.rating];
        return (a.average ?? 0) > (b.average ?? 0) || ((a.average ?? 0) === (b.average ?? 0) && a.count >= b.count);
      });
    const end = Date.now() + 8000;
    let edges: Edge[] = [];
    while (Date.now() < end && !consistent(edges)) {
      const r = await s.gql<{ products: { edges: Edge[] } }, Record<string, never>>(query);
      edges = r.data!.products.edges;
      if (!consistent(edges)) await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(consistent(edges), JSON.stringify(edges.slice(0, 5).map((e) => e.node.rating)));
  });
});
