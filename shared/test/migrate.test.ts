/**
 * initializeAndMigrate against real Postgres: replicas starting at once migrate exactly once,
 * the schema is created when missing, tables land in it, and the counting logger counts the
 * statements run inside countQueries.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { createDataSource, initializeAndMigrate } from '../src/db/data-source';
import { CountingLogger, countQueries, withQueryBucket } from '../src/db/query-counter';
import { createTestDatabase, type TestDatabase } from '../src/testing';

const SCHEMA = 'mig_race';
const TIMEOUT = { timeout: 15_000 };

class Widgets1700000000003 implements MigrationInterface {
  name = 'Widgets1700000000003';
  async up(q: QueryRunner): Promise<void> {
    // IF NOT EXISTS on purpose: a second run would not fail here, it would add a second row.
    await q.query(`CREATE TABLE IF NOT EXISTS runs (id serial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    await q.query(`CREATE TABLE IF NOT EXISTS widget (id serial PRIMARY KEY, name text NOT NULL)`);
    // Hold the lock a little, so the other replicas really do wait on it.
    await q.query(`SELECT pg_sleep(0.2)`);
    await q.query(`INSERT INTO runs DEFAULT VALUES`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE widget`);
    await q.query(`DROP TABLE runs`);
  }
}

describe('initializeAndMigrate', () => {
  let db: TestDatabase;
  let admin: pg.Client;
  const sources: DataSource[] = [];
  const make = (schema = SCHEMA): DataSource => {
    const ds = createDataSource({ url: db.url, schema, entities: [], migrations: [Widgets1700000000003], poolSize: 3 });
    sources.push(ds);
    return ds;
  };
  const tablesIn = async (schema: string): Promise<string[]> =>
    (await admin.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [schema])).rows.map(
      (r: { table_name: string }) => r.table_name,
    );

  before(async () => {
    db = await createTestDatabase();
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
  });
  after(async () => {
    await Promise.all(sources.filter((s) => s.isInitialized).map((s) => s.destroy()));
    await admin?.end();
    await db?.drop();
  });

  it('creates the missing schema and migrates once when three replicas start together', TIMEOUT, async () => {
    assert.equal((await admin.query(`SELECT 1 FROM information_schema.schemata WHERE schema_name = $1`, [SCHEMA])).rowCount, 0);
    const replicas = [make(), make(), make()];
    await Promise.all(replicas.map((ds) => initializeAndMigrate(ds)));
    assert.ok(replicas.every((ds) => ds.isInitialized));

    assert.equal((await admin.query(`SELECT 1 FROM information_schema.schemata WHERE schema_name = $1`, [SCHEMA])).rowCount, 1);
    assert.equal((await admin.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.runs`)).rows[0].n, 1, 'the migration ran once');
    const history = await admin.query(`SELECT name FROM ${SCHEMA}.migrations`);
    assert.deepEqual(
      history.rows.map((r: { name: string }) => r.name),
      ['Widgets1700000000003'],
    );
    // Tables land in the DataSource's schema, not in public.
    assert.deepEqual(await tablesIn(SCHEMA), ['migrations', 'runs', 'widget']);
    assert.deepEqual(await tablesIn('public'), []);

    // Every replica sees nothing pending, and unqualified SQL resolves to its schema.
    for (const ds of replicas) {
      assert.equal(await ds.showMigrations(), false);
      assert.deepEqual(await ds.query(`SELECT count(*)::int AS n FROM runs`), [{ n: 1 }]);
    }
  });

  it('is a no-op when run again', TIMEOUT, async () => {
    const late = make();
    await initializeAndMigrate(late);
    assert.equal((await admin.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.runs`)).rows[0].n, 1);
  });

  it('keeps each schema separate', TIMEOUT, async () => {
    const other = make('mig_other');
    await initializeAndMigrate(other);
    assert.deepEqual(await tablesIn('mig_other'), ['migrations', 'runs', 'widget']);
    await other.query(`INSERT INTO widget (name) VALUES ('only in mig_other')`);
    assert.equal((await admin.query(`SELECT count(*)::int AS n FROM mig_other.widget`)).rows[0].n, 1);
    assert.equal((await admin.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.widget`)).rows[0].n, 0);
  });

  it('counts the statements run inside countQueries, and only those', TIMEOUT, async () => {
    const ds = sources[0];
    assert.ok(ds.logger instanceof CountingLogger);
    await ds.query(`SELECT 1`); // outside any bucket: not counted anywhere

    const { result, count, statements } = await countQueries(async () => {
      await ds.query(`INSERT INTO widget (name) VALUES ($1)`, ['a']);
      await ds.transaction(async (em) => {
        await em.query(`INSERT INTO widget (name) VALUES ($1)`, ['b']);
        await em.query(`UPDATE widget SET name = upper(name) WHERE name = $1`, ['b']);
      });
      return (await ds.query(`SELECT name FROM widget ORDER BY id`)) as Array<{ name: string }>;
    });
    assert.deepEqual(
      result.map((r) => r.name),
      ['a', 'B'],
    );
    assert.equal(count, 4, `transaction control is not counted: ${statements.join(' | ')}`);
    assert.deepEqual(
      statements.map((s) => s.split(' ')[0]),
      ['INSERT', 'INSERT', 'UPDATE', 'SELECT'],
    );

    // Concurrent buckets do not see each other's statements.
    const [one, three] = await Promise.all([
      countQueries(() => ds.query(`SELECT 1`)),
      countQueries(async () => {
        for (let i = 0; i < 3; i++) await ds.query(`SELECT $1::int`, [i]);
      }),
    ]);
    assert.equal(one.count, 1);
    assert.equal(three.count, 3);

    // A bucket the caller holds accumulates across calls.
    const bucket = { count: 0, statements: [] as string[] };
    await withQueryBucket(bucket, () => ds.query(`SELECT 1`));
    await withQueryBucket(bucket, () => ds.query(`SELECT 2`));
    assert.equal(bucket.count, 2);
  });
});
