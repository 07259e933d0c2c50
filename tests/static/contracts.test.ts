/**
 * The cross-process contracts hold: every internal query document is valid against its owner's
 * SDL (a rename there fails here, not in production), and every event route has exactly one
 * subgraph running its consumer with a handler per routed type, and nothing else.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, validate } from 'graphql';
import * as contracts from '@fashionistar/shared/contracts';
import {
  EVENT_ROUTES,
  checkConsumer,
  readSdl,
  readSubgraphConfig,
  type AnySubgraphModule,
  type InternalQuery,
  type SubgraphRuntime,
} from '@fashionistar/shared';

const configs = readSubgraphConfig();
const modules = async (): Promise<AnySubgraphModule[]> =>
  Promise.all(configs.map(async (c) => ((await import(c.package)) as { subgraph: AnySubgraphModule }).subgraph));

const isQuery = (v: unknown): v is InternalQuery<Record<string, unknown>, unknown> =>
  typeof v === 'object' && v !== null && typeof (v as { document?: unknown }).document === 'string' && 'subgraph' in v;

describe('contracts', () => {
  it('validates every internal query document against the SDL of the subgraph that answers it', () => {
    const queries = Object.entries(contracts).filter(([, v]) => isQuery(v)) as Array<
      [string, InternalQuery<Record<string, unknown>, unknown>]
    >;
    assert.ok(queries.length >= 4, `found ${queries.length} internal queries`);
    for (const [name, q] of queries) {
      const owner = configs.find((c) => c.name === q.subgraph);
      assert.ok(owner, `${name}: no subgraph ${q.subgraph}`);
      const schema = buildSubgraphSchema({ typeDefs: parse(readSdl(owner)) });
      const errors = validate(schema, parse(q.document));
      assert.deepEqual(
        errors.map((e) => e.message),
        [],
        `${name} is not valid against ${q.subgraph}'s SDL`,
      );
    }
  });

  it('runs every routed consumer in exactly one subgraph, handling exactly the routed types', async () => {
    const runtime = { config: {}, deps: {}, dataSource: {}, infra: {}, log: {}, providers: {} } as SubgraphRuntime<never, never>;
    const runBy = new Map<string, string[]>();
    for (const m of await modules()) {
      // The factories only build handler maps; nothing runs until an event arrives.
      const consumers = m.definition.consumers?.(runtime) ?? {};
      for (const [consumer, handlers] of Object.entries(consumers)) {
        checkConsumer(EVENT_ROUTES, consumer, Object.keys(handlers as object));
        runBy.set(consumer, [...(runBy.get(consumer) ?? []), m.name]);
      }
    }
    for (const consumer of Object.keys(EVENT_ROUTES)) {
      assert.equal(runBy.get(consumer)?.length, 1, `consumer ${consumer} is run by ${JSON.stringify(runBy.get(consumer) ?? [])}`);
    }
    assert.deepEqual([...runBy.keys()].sort(), Object.keys(EVENT_ROUTES).sort());
  });

  it('routes identity.user.deleted to every subgraph that keeps personal data beside identity', () => {
    const routed = Object.entries(EVENT_ROUTES)
      .filter(([, events]) => events.some((e) => e.type === contracts.UserDeleted.type))
      .map(([consumer]) => consumer);
    assert.deepEqual(routed, ['vendors']);
  });
});
