/**
 * The router's operation limits (depth, aliases, cost) as graphql validation rules.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildSchema, parse, specifiedRules, validate, type ValidationRule } from 'graphql';
import { limitRules, type OperationLimits } from '../src/limits';

const schema = buildSchema(`
  type Query { user(id: ID): User, users: [User] }
  type User { id: ID, name: String, friends: [User], best: User }
`);

const LOOSE: OperationLimits = { maxDepth: 100, maxAliases: 100, maxCost: 100_000 };

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

  it('counts every field once per use, with fragments expanded', () => {
    // user, users: 2; F twice (id, name, best, best.id): 4 each, so 2 + 8 = 10.
    const query = '{ user { ...F } users { ...F } } fragment F on User { id name best { id } }';
    assert.deepEqual(check(query, { maxCost: 10 }), []);
    assert.deepEqual(check(query, { maxCost: 9 }), ['The operation selects 10 fields; the limit is 9.']);
  });

  it('checks each operation of a document on its own', () => {
    // Small selects 2 fields, Big 6; they are not added up.
    const doc = 'query Small { user { id } } query Big { user { id name best { id name } } }';
    assert.deepEqual(check(doc, { maxCost: 6 }), []);
    // Only Big fails; the walk stops counting once over the limit, so it reports limit + 1.
    assert.deepEqual(check(doc, { maxCost: 3 }), ['The operation selects 4 fields; the limit is 3.']);
    assert.deepEqual(check('query Small { user { id } }', { maxCost: 2 }), []);
  });

  it('rejects a fragment bomb quickly', () => {
    for (const withSpecified of [false, true]) {
      const started = performance.now();
      const messages = check(fragmentBomb('id name'), { maxCost: 1500 }, withSpecified);
      const ms = performance.now() - started;
      assert.ok(ms < RUNAWAY_MS, `took ${ms.toFixed(0)} ms`);
      assert.ok(
        // limit + 1: the walk stopped counting at the limit instead of expanding the bomb.
        messages.includes('The operation selects 1501 fields; the limit is 1500.'),
        messages.join('\n'),
      );
    }
  });

  it('rejects a fragment bomb whose leaves are cyclic or unknown spreads quickly', () => {
    // Such leaves select no field, so only counting them stops the 10^10-spread expansion.
    for (const leaf of ['...F0', '...Missing', '... on User { ...F0 }']) {
      for (const withSpecified of [false, true]) {
        const started = performance.now();
        const messages = check(fragmentBomb(leaf), { maxCost: 1500 }, withSpecified);
        const ms = performance.now() - started;
        assert.ok(ms < RUNAWAY_MS, `${leaf}: took ${ms.toFixed(0)} ms`);
        assert.ok(
          messages.some((m) => m.includes('the limit is 1500')),
          `${leaf}: ${messages.join('\n')}`,
        );
      }
    }
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
    assert.deepEqual(check(query, { maxDepth: 3, maxAliases: 0, maxCost: 8 }, true), []);
  });
});
