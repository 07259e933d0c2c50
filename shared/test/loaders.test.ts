/**
 * Loaders never capture a transaction: a loader first used inside `inTransaction` belongs to the
 * transaction's context, and the request's own loaders keep reading through the request's manager
 * after the transaction has ended (real Postgres).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { createDataSource, initializeAndMigrate } from '../src/db/data-source';
import { inTransaction, type BaseContext } from '../src/context';
import { createTestDatabase, createTestInfra, testContext, type TestDatabase } from '../src/testing';
import type { Infra } from '../src/infra/types';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { readSubgraphConfig, subgraphUrls } from '../src/composition-config';

/** The usual loader shape: made on first use, reading through the `em` of the context that made it. */
const numbers = (ctx: BaseContext) =>
  ctx.loaders.get(
    'numbers',
    () =>
      new DataLoader<number, number>(async (keys) => {
        const rows: Array<{ n: number }> = await ctx.em.query(`SELECT unnest($1::int[]) * 10 AS n`, [[...keys]]);
        return rows.map((r) => r.n);
      }),
  );

describe('loaders and transactions', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let infra: Infra;
  before(async () => {
    db = await createTestDatabase();
    infra = createTestInfra('memory');
    ds = createDataSource({ url: db.url, schema: 'loaders_test', entities: [], migrations: [] });
    await initializeAndMigrate(ds);
  });
  after(async () => {
    await ds?.destroy();
    await infra?.close();
    await db?.drop();
  });

  it('keeps working after a transaction in which a loader was first used', async () => {
    const ctx = testContext({ em: ds.manager, infra });
    const inside = await inTransaction(ctx, async (tx) => {
      assert.notEqual(tx.loaders, ctx.loaders, 'the transaction has a registry of its own');
      return numbers(tx).load(1);
    });
    assert.equal(inside, 10);
    // With one shared registry, this loader would be the transaction's and query a released runner.
    assert.equal(await numbers(ctx).load(2), 20);
    assert.equal(await numbers(ctx).load(3), 30);
  });

  it('reads inside a transaction through the transaction, seeing its uncommitted writes', async () => {
    await ds.query(`CREATE TABLE loaders_test.item (id int PRIMARY KEY, name text NOT NULL)`);
    const ctx = testContext({ em: ds.manager, infra });
    const byId = (c: BaseContext) =>
      c.loaders.get(
        'item',
        () =>
          new DataLoader<number, string | null>(async (ids) => {
            const rows: Array<{ id: number; name: string }> = await c.em.query(
              `SELECT id, name FROM loaders_test.item WHERE id = ANY($1)`,
              [[...ids]],
            );
            return ids.map((id) => rows.find((r) => r.id === id)?.name ?? null);
          }),
      );
    assert.equal(await byId(ctx).load(1), null, 'the request loader caches the miss');
    await inTransaction(ctx, async (tx) => {
      await tx.em.query(`INSERT INTO loaders_test.item (id, name) VALUES (1, 'ankara')`);
      assert.equal(await byId(tx).load(1), 'ankara', 'not the request cache, and through the transaction');
    });
    assert.equal(await byId(testContext({ em: ds.manager, infra })).load(1), 'ankara');
  });
});

describe('subgraph composition config', () => {
  it('refuses a missing or malformed schema/subgraphs.json and invalid peer URLs, naming every problem', () => {
    const root = mkdtempSync(join(tmpdir(), 'fsg-config-'));
    assert.throws(() => readSubgraphConfig(root), /cannot be read/);
    mkdirSync(join(root, 'schema'));
    writeFileSync(
      join(root, 'schema/subgraphs.json'),
      '{ "subgraphs": [ { "name": "Bad Name", "routingUrl": "ftp://x", "urlEnv": "x" } ] }',
    );
    assert.throws(
      () => readSubgraphConfig(root),
      (e: Error) => {
        for (const bit of ['name must match', 'routingUrl is not an http(s) URL', 'urlEnv must look like NAME_URL', 'sdl is required']) {
          assert.ok(e.message.includes(bit), `${bit} in ${e.message}`);
        }
        return true;
      },
    );
    const configs = readSubgraphConfig();
    const identity = configs.find((c) => c.name === 'identity')!;
    assert.equal(subgraphUrls({}, configs).identity, identity.routingUrl);
    assert.equal(subgraphUrls({ [identity.urlEnv]: 'http://identity:4001/graphql' }, configs).identity, 'http://identity:4001/graphql');
    assert.throws(() => subgraphUrls({ [identity.urlEnv]: 'identity:4001' }, configs), new RegExp(`${identity.urlEnv} is not`));
  });
});
