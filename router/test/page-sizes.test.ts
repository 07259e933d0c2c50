/** Page-size limits read from the supergraph's @pageSize and checked before planning. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Kind, buildSchema, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { pageSizeLimits, pageSizeProblem } from '../src/page-sizes';

const sdl = `
directive @pageSize(max: Int!) on FIELD_DEFINITION
type Query { product(id: ID!): Product  products(first: Int = 20): [Product!]! @pageSize(max: 100) }
interface Node { id: ID! }
type Product implements Node { id: ID! reviews(first: Int = 10): [Review!]! @pageSize(max: 50) related(first: Int): [Product!]! }
type Review { id: ID! }
`;
const schema = buildSchema(sdl);
const limits = pageSizeLimits(sdl);

function check(query: string, variables?: Record<string, unknown>) {
  const doc = parse(query);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = new Map(
    doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  return pageSizeProblem(schema, limits, op, fragments, variables);
}

describe('page-size limits', () => {
  it('reads every @pageSize of the supergraph', () => {
    assert.deepEqual(
      [...limits],
      [
        ['Query.products', 100],
        ['Product.reviews', 50],
      ],
    );
  });

  it('refuses a nested page over the maximum, naming the response path (aliases included)', () => {
    assert.deepEqual(check('{ product(id: "1") { r: reviews(first: 60) { id } } }'), {
      message: 'first must be between 1 and 50 on Product.reviews.',
      fieldPath: 'product.r',
    });
    assert.equal(check('{ products(first: 0) { id } }')?.fieldPath, 'products');
  });

  it('reads variables, fragments and inline fragments', () => {
    assert.equal(
      check('query($n: Int) { product(id: "1") { ...F } } fragment F on Product { reviews(first: $n) { id } }', { n: 51 })?.fieldPath,
      'product.reviews',
    );
    assert.equal(check('{ products { ... on Product { reviews(first: 99) { id } } } }')?.fieldPath, 'products.reviews');
  });

  it('checks the default of a variable left out', () => {
    assert.equal(check('query($n: Int = 60) { product(id: "1") { reviews(first: $n) { id } } }', {})?.fieldPath, 'product.reviews');
    assert.equal(check('query($n: Int = 60) { product(id: "1") { reviews(first: $n) { id } } }', { n: 5 }), null);
  });

  it('lets allowed pages, defaults and undeclared fields through', () => {
    assert.equal(check('{ products(first: 100) { reviews(first: 50) { id } } }'), null);
    assert.equal(check('query($n: Int) { products(first: $n) { reviews { id } } }', {}), null);
    assert.equal(check('{ product(id: "1") { related(first: 5000) { id } } }'), null);
  });

  it('survives cyclic fragments (graphql reports them; the walk must not loop)', () => {
    assert.equal(check('{ product(id: "1") { ...A } } fragment A on Product { ...B } fragment B on Product { ...A }'), null);
  });
});
