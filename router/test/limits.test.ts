/**
 * The router's operation limits on a document's shape (depth, aliases, root fields, directives,
 * introspection nesting) as graphql validation rules; the cost is in cost.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildSchema, getIntrospectionQuery, parse, specifiedRules, validate, type ValidationRule } from 'graphql';
import { limitRules, type OperationLimits } from '../src/limits';

const schema = buildSchema(`
  type Query { user(id: ID): User, users: [User] }
  type User { id: ID, name: String, friends: [User], best: User }
`);

const LOOSE: OperationLimits = { maxDepth: 100, maxAliases: 100, maxCost: 100_000, maxRootFields: 100, maxDirectives: 100 };

/** Messages of validating `query` with only the limit rules (or with graphql's own rules too). */
function check(query: string, limits: Partial<OperationLimits>, withSpecified = false): string[] {
  const rules: ValidationRule[] = limitRules({ ...LOOSE, ...limits });
  return validate(schema, parse(query), withSpecified ? [...specifiedRules, ...rules] : rules).map((e) => e.message);
}

/** Ten levels of fragments, each spreading the one below `fan` times; F0 holds `leaf`. */
function fragmentBomb(leaf: string, levels = 10, fan = 10): string {
  let text = `query Bomb { user { ...F${levels} } }\nfragment F0 on User { ${leaf} }\n`;
  for (let i = 1; i <= levels; i++) text += `fragment F${i} on User { ${Array.from({ length: fan }, () => `...F${i - 1}`).join(' ')} }\n`;
  return text;
}

/**
 * A bound on wall-clock time that only a runaway expansion (10^10 spreads: hours) can exceed. It
 * is 10x what the check takes on a loaded CI machine, so load alone never fails the test.
 */
const RUNAWAY_MS = 2000;

describe('limitRules', () => {
  it('passes an operation at the depth limit and fails one level deeper', () => {
    // user (1) > best (2) > best (3) > id (4)
    const depth4 = '{ user { best { best { id } } } }';
    assert.deepEqual(check(depth4, { maxDepth: 4 }), []);
    assert.deepEqual(check(depth4, { maxDepth: 3 }), ['The operation is nested 4 levels deep; the limit is 3.']);
    // Depth through fragments and inline fragments counts the fields, not the spreads.
    const viaFragments = '{ user { ...A } } fragment A on User { best { ... on User { friends { id } } } }';
    assert.deepEqual(check(viaFragments, { maxDepth: 4 }), []);
    assert.deepEqual(check(viaFragments, { maxDepth: 3 }), ['The operation is nested 4 levels deep; the limit is 3.']);
  });

  it('counts aliases, also inside fragments each time they are spread', () => {
    const query = '{ a: user { x: id name } b: user { ...F } } fragment F on User { y: id }';
    // a, x, b and y (spread once).
    assert.deepEqual(check(query, { maxAliases: 4 }), []);
    assert.deepEqual(check(query, { maxAliases: 3 }), ['The operation uses 4 aliases; the limit is 3.']);
    // A fragment spread twice counts its alias twice.
    const twice = '{ user { ...F } users { ...F } } fragment F on User { y: id }';
    assert.deepEqual(check(twice, { maxAliases: 2 }), []);
    assert.deepEqual(check(twice, { maxAliases: 1 }), ['The operation uses 2 aliases; the limit is 1.']);
    assert.deepEqual(check('{ user { id name } }', { maxAliases: 0 }), []);
  });

  it('rejects a fragment bomb quickly (the walk stops at the cost budget; cost.ts then refuses it)', () => {
    for (const withSpecified of [false, true]) {
      const started = performance.now();
      const messages = check(fragmentBomb('id name'), { maxCost: 1500 }, withSpecified);
      const ms = performance.now() - started;
      assert.ok(ms < RUNAWAY_MS, `took ${ms.toFixed(0)} ms`);
      assert.deepEqual(messages, []);
    }
  });

  it('stops quickly on a fragment bomb whose leaves are cyclic or unknown spreads', () => {
    // Such leaves select no field, so only counting them stops the 10^10-spread expansion.
    for (const leaf of ['...F0', '...Missing', '... on User { ...F0 }']) {
      const started = performance.now();
      check(fragmentBomb(leaf), { maxCost: 1500 }, true);
      const ms = performance.now() - started;
      assert.ok(ms < RUNAWAY_MS, `${leaf}: took ${ms.toFixed(0)} ms`);
    }
  });

  it('counts root fields, fragments at the root expanded', () => {
    const query = '{ a: user { id } b: user { id } ...R } fragment R on Query { users { id } }';
    assert.deepEqual(check(query, { maxRootFields: 3 }), []);
    assert.deepEqual(check(query, { maxRootFields: 2 }), ['The operation selects 3 root fields; the limit is 2.']);
  });

  it('counts directives in the document', () => {
    const query = '{ user @include(if: true) { id @skip(if: false) name @skip(if: false) } }';
    assert.deepEqual(check(query, { maxDirectives: 3 }), []);
    assert.deepEqual(check(query, { maxDirectives: 2 }), ['The operation uses 3 directives; the limit is 2.']);
  });

  it('says which limit and by how much in extensions', () => {
    const errors = validate(schema, parse('{ user { best { best { id } } } }'), limitRules({ ...LOOSE, maxDepth: 3 }));
    assert.deepEqual(errors[0]!.extensions, { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'MAX_DEPTH', max: 3, actual: 4 });
  });

  it('lets the standard introspection query through, with its own depth, and graphql refuses fan-out nesting', () => {
    const full = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      inputValueDeprecation: true,
    });
    assert.deepEqual(check(full, { maxDepth: 12, maxAliases: 0 }, true), []);
    assert.deepEqual(check(full, { maxDepth: 2, maxAliases: 0 }, true), []);
    const twice = '{ __schema { types { fields { type { fields { name } } } } } }';
    assert.deepEqual(check(twice, { maxDepth: 12 }, true), []);
    const thrice = '{ __schema { types { fields { type { fields { type { interfaces { name } } } } } } } }';
    // graphql's own MaxIntrospectionDepthRule, which the router runs with these.
    assert.deepEqual(check(thrice, { maxDepth: 12 }, true), ['Maximum introspection depth exceeded']);
    const viaType = '{ __type(name: "User") { fields { type { possibleTypes { inputFields { name } } } } } }';
    assert.deepEqual(check(viaType, {}, true), ['Maximum introspection depth exceeded']);
    const ofTypes = `{ __type(name: "User") { ${'ofType { '.repeat(20)} name ${'} '.repeat(20)} } }`;
    assert.deepEqual(check(ofTypes, {}, true), ['The introspection is nested 22 levels deep; the limit is 20.']);
  });

  it('does not loop on fragment cycles (graphql reports the cycle)', () => {
    const cycle = '{ user { ...A } } fragment A on User { id best { ...B } } fragment B on User { name friends { ...A } }';
    const started = performance.now();
    assert.deepEqual(check(cycle, { maxDepth: 10, maxCost: 100 }), []);
    const withSpecified = check(cycle, { maxDepth: 10, maxCost: 100 }, true);
    assert.ok(performance.now() - started < RUNAWAY_MS);
    assert.ok(
      withSpecified.some((m) => m.startsWith('Cannot spread fragment "A" within itself')),
      withSpecified.join('\n'),
    );
    assert.ok(!withSpecified.some((m) => m.startsWith('The operation')), withSpecified.join('\n'));
  });

  it('leaves a normal operation alone, with graphql rules as the router runs them', () => {
    const query = 'query Q($id: ID) { user(id: $id) { id name friends { id name } best { ...F } } } fragment F on User { id }';
    assert.deepEqual(check(query, { maxDepth: 3, maxAliases: 0, maxCost: 8, maxRootFields: 1, maxDirectives: 0 }, true), []);
  });
});
