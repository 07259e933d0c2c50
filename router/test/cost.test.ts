/** The operation cost: lists weighted by their page size, checked with the variables before planning. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Kind, buildSchema, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { UNANNOTATED_LIST_SIZE, costError, operationCost } from '../src/cost';
import { pageSizeLimits } from '../src/page-sizes';

const sdl = `
directive @pageSize(max: Int!) on FIELD_DEFINITION
type Query { product(id: ID!): Product  products(first: Int = 20): ProductConnection! @pageSize(max: 100)  tags: [Tag!]! }
type ProductConnection { edges: [ProductEdge!]!  pageInfo: PageInfo! }
type ProductEdge { node: Product!  cursor: String! }
type PageInfo { hasNextPage: Boolean! }
type Product { id: ID!  name: String  variants: [Variant!]! @pageSize(max: 100)  images(first: Int): [Image!]! @pageSize(max: 30)  related: [Product!]!  tags: [String!]! }
type Variant { id: ID!  sku: String }
type Image { url: String }
type Tag { name: String }
`;
const schema = buildSchema(sdl);
const sizes = pageSizeLimits(sdl);

function cost(query: string, variables?: Record<string, unknown>, operationName?: string): number {
  const doc = parse(query);
  const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const op = operationName ? ops.find((o) => o.name?.value === operationName)! : ops[0]!;
  const fragments = new Map(
    doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  return operationCost(schema, sizes, op, fragments, variables);
}

describe('operationCost', () => {
  it('counts a field once per item of the lists around it, a connection sizing the list inside it', () => {
    // product, id, name: 3.
    assert.equal(cost('{ product(id: 1) { id name } }'), 3);
    // products 1 + edges 1 + 5 × (node 1 + id 1) + pageInfo 1 + hasNextPage 1 = 14.
    assert.equal(cost('{ products(first: 5) { edges { node { id } } pageInfo { hasNextPage } } }'), 14);
  });

  it('takes `first` from a literal, a variable, the variable default, the SDL default, else the maximum', () => {
    const page = (n: number) => 2 + n;
    assert.equal(cost('{ products(first: 7) { edges { id: cursor } } }'), page(7));
    assert.equal(cost('query Q($n: Int) { products(first: $n) { edges { cursor } } }', { n: 9 }), page(9));
    assert.equal(cost('query Q($n: Int = 11) { products(first: $n) { edges { cursor } } }'), page(11));
    // SDL default 20, absent or a variable left out.
    assert.equal(cost('{ products { edges { cursor } } }'), page(20));
    assert.equal(cost('query Q($n: Int) { products(first: $n) { edges { cursor } } }'), page(20));
    // images has no SDL default: its @pageSize max (30); a list without a size argument: its max too.
    assert.equal(cost('{ product(id: 1) { images { url } } }'), 2 + 30);
    assert.equal(cost('{ product(id: 1) { images(first: 1) { url } } }'), 3);
    assert.equal(cost('{ product(id: 1) { variants { id sku } } }'), 2 + 100 * 2);
    // Over the maximum counts the maximum (the page-size check refuses it anyway).
    assert.equal(cost('{ product(id: 1) { images(first: 1000) { url } } }'), 2 + 30);
  });

  it('counts an unannotated list at the default size, and a list of scalars once', () => {
    assert.equal(cost('{ tags { name } }'), 1 + UNANNOTATED_LIST_SIZE);
    assert.equal(cost('{ product(id: 1) { tags } }'), 2);
  });

  it('multiplies nested lists', () => {
    // products(first: 10) > edges > node > variants (100) > id.
    assert.equal(cost('{ products(first: 10) { edges { node { variants { id } } } } }'), 2 + 10 * (1 + 1 + 100));
    const deep = cost('{ products(first: 100) { edges { node { related { related { related { id } } } } } } }');
    assert.ok(deep > 100 ** 4, String(deep));
  });

  it('costs fragments as if inlined, each fragment computed once', () => {
    const inlined = cost('{ products(first: 3) { edges { node { id variants { id } } } } }');
    assert.equal(
      cost(
        '{ products(first: 3) { ...C } } fragment C on ProductConnection { edges { node { ...P } } } fragment P on Product { id variants { id } }',
      ),
      inlined,
    );
    // Ten levels of ten spreads each: 10^10 leaves, computed in a moment.
    let bomb = 'query Bomb { product(id: 1) { ...F10 } }\nfragment F0 on Product { id }\n';
    for (let i = 1; i <= 10; i++) bomb += `fragment F${i} on Product { ${Array.from({ length: 10 }, () => `...F${i - 1}`).join(' ')} }\n`;
    const started = performance.now();
    assert.equal(cost(bomb), 1 + 10 ** 10);
    assert.ok(performance.now() - started < 500);
  });

  it('checks the chosen operation only', () => {
    const doc = 'query Small { product(id: 1) { id } } query Big { products(first: 50) { edges { node { variants { id } } } } }';
    assert.equal(cost(doc, {}, 'Small'), 2);
    assert.equal(cost(doc, {}, 'Big'), 2 + 50 * 102);
  });

  it('says which limit and by how much', () => {
    const error = costError(1_234_567, 50_000);
    assert.match(error.message, /estimated cost is 1,234,567 .*the limit \(MAX_COST\) is 50,000/);
    assert.deepEqual(error.extensions, { code: 'OPERATION_TOO_COMPLEX', limit: 'MAX_COST', max: 50_000, actual: 1_234_567 });
  });
});
