/**
 * Per-subgraph roles on the machine's real Postgres: provisionDatabase makes roles that own only
 * their schema, the vendors and catalog migrations run as those roles (not as a superuser), the
 * catalog's trigram typo fixing works through the role's search_path (`catalog, extensions`), and
 * the database itself refuses the catalog role vendors' tables and public. Roles are cluster-wide,
 * so their names are unique per run and they are dropped afterwards.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, initializeAndMigrate, provisionDatabase, type SubgraphRole } from '@fashionistar/shared';
import { TEST_PG_URL, createTestDatabase, type TestDatabase } from '@fashionistar/shared/testing';
import { vendorsMigrations } from '@fashionistar/vendors/src/migrations';
import { catalogMigrations } from '@fashionistar/catalog/src/migrations';
import { correctQuery } from '@fashionistar/catalog/src/services/search-terms';

const TIMEOUT = { timeout: 30_000 };
const run = randomBytes(4).toString('hex');
const roleFor = (schema: string): SubgraphRole => ({ name: `fsg_t${run}_${schema}`, schema, password: `pw-${run}-${schema}` });

const urlAs = (dbUrl: string, role: SubgraphRole): string => {
  const u = new URL(dbUrl);
  u.username = role.name;
  u.password = role.password;
  return u.toString();
};

/** The error a query fails with (the test fails if it succeeds). */
async function failureOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail('expected the query to be refused');
}

async function dropRoles(roles: SubgraphRole[]): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    for (const r of roles) await c.query(`DROP ROLE IF EXISTS "${r.name}"`);
  } finally {
    await c.end();
  }
}

describe('per-subgraph database roles', () => {
  const vendors = roleFor('vendors');
  const catalog = roleFor('catalog');
  const sources: DataSource[] = [];
  let db: TestDatabase;
  let vendorsDs: DataSource;
  let catalogDs: DataSource;

  before(async () => {
    db = await createTestDatabase();
    await provisionDatabase(db.url, { schemas: ['vendors', 'catalog'], roles: [vendors, catalog] });
    vendorsDs = createDataSource({
      url: urlAs(db.url, vendors),
      schema: 'vendors',
      entities: [],
      migrations: vendorsMigrations,
      poolSize: 2,
    });
    catalogDs = createDataSource({
      url: urlAs(db.url, catalog),
      schema: 'catalog',
      entities: [],
      migrations: catalogMigrations,
      poolSize: 2,
    });
    sources.push(vendorsDs, catalogDs);
  });
  after(async () => {
    await Promise.all(sources.filter((s) => s.isInitialized).map((s) => s.destroy()));
    await db?.drop();
    await dropRoles([vendors, catalog]);
  });

  it('runs the vendors and catalog migrations as their own roles, which own what they made', TIMEOUT, async () => {
    await initializeAndMigrate(vendorsDs);
    await initializeAndMigrate(catalogDs);
    const who = await catalogDs.query(`SELECT current_user AS u, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS su`);
    assert.deepEqual(who, [{ u: catalog.name, su: false }]);
    const owners = await catalogDs.query(
      `SELECT DISTINCT tableowner AS owner FROM pg_tables WHERE schemaname = 'catalog' AND tablename IN ('product', 'search_term', 'migrations')`,
    );
    assert.deepEqual(owners, [{ owner: catalog.name }]);
    const ext = await catalogDs.query(`SELECT extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname = 'pg_trgm'`);
    assert.deepEqual(ext, [{ schema: 'extensions' }]);
  });

  it('fixes typos with pg_trgm (%, similarity) through the role search_path', TIMEOUT, async () => {
    await catalogDs.query(`INSERT INTO search_term (term) VALUES ('ankara'), ('dress'), ('agbada')`);
    assert.equal(await correctQuery(catalogDs.manager, 'ankra dres'), 'ankara dress');
    // The index the init migration built with gin_trgm_ops is the extension's, in `extensions`.
    const [row] = await catalogDs.query(
      `SELECT opcnamespace::regnamespace::text AS schema FROM pg_index i JOIN pg_opclass o ON o.oid = i.indclass[0]
        WHERE i.indexrelid = 'catalog.search_term_trgm_idx'::regclass`,
    );
    assert.equal(row.schema, 'extensions');
  });

  it("refuses the catalog role vendors' tables, public, and new schemas or extensions", TIMEOUT, async () => {
    // Control: the table exists and the admin reads it, so the refusals below are about the role.
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      assert.equal((await admin.query(`SELECT count(*)::int AS n FROM vendors.vendor`)).rows[0].n, 0);
    } finally {
      await admin.end();
    }
    assert.match(await failureOf(() => catalogDs.query(`SELECT * FROM vendors.vendor`)), /permission denied for schema vendors/);
    assert.match(await failureOf(() => vendorsDs.query(`SELECT * FROM catalog.product`)), /permission denied for schema catalog/);
    assert.match(await failureOf(() => catalogDs.query(`CREATE TABLE public.stash (id int)`)), /permission denied for schema public/);
    assert.match(await failureOf(() => catalogDs.query(`CREATE SCHEMA stash`)), /permission denied for database/);
    assert.match(await failureOf(() => catalogDs.query(`CREATE EXTENSION hstore`)), /permission denied/);
    // Unqualified names land in the role's own schema, never elsewhere.
    await catalogDs.query(`CREATE TABLE scratch (id int)`);
    assert.deepEqual(await catalogDs.query(`SELECT schemaname FROM pg_tables WHERE tablename = 'scratch'`), [{ schemaname: 'catalog' }]);
  });
});

describe('provisioning a database migrated before roles existed', () => {
  const vendors = roleFor('vendors2');
  let db: TestDatabase;
  let legacyUrl: string;

  before(async () => {
    db = await createTestDatabase();
    // A database as the catalog's old init migration left it: pg_trgm in public.
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query(`DROP EXTENSION pg_trgm`);
      await c.query(`CREATE EXTENSION pg_trgm WITH SCHEMA public`);
      await c.query(`GRANT ALL ON SCHEMA public TO PUBLIC`);
    } finally {
      await c.end();
    }
    legacyUrl = db.url;
  });
  after(async () => {
    await db?.drop();
    await dropRoles([vendors]);
  });

  it('moves pg_trgm to extensions and hands the admin-made schema over to the new role', TIMEOUT, async () => {
    // The superuser migrated the vendors tables (npm start, or compose before roles).
    const asAdmin = createDataSource({ url: legacyUrl, schema: 'vendors2', entities: [], migrations: vendorsMigrations, poolSize: 1 });
    await initializeAndMigrate(asAdmin);
    await asAdmin.destroy();
    await provisionDatabase(legacyUrl, { schemas: [], roles: [vendors] });
    // Twice: a re-run of db-init is harmless.
    await provisionDatabase(legacyUrl, { schemas: [], roles: [vendors] });

    const asRole = new pg.Client({ connectionString: urlAs(legacyUrl, vendors) });
    await asRole.connect();
    try {
      const ext = await asRole.query(`SELECT extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname = 'pg_trgm'`);
      assert.equal(ext.rows[0].schema, 'extensions');
      // Its next migration must be able to alter the tables the admin made.
      await asRole.query(`ALTER TABLE vendors2.vendor ADD COLUMN motto text`);
      const owners = await asRole.query(`SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'vendors2'`);
      assert.deepEqual(owners.rows, [{ tableowner: vendors.name }]);
      // search_path comes with the role too (ALTER ROLE … IN DATABASE), for tools that connect without the DataSource.
      assert.equal((await asRole.query(`SHOW search_path`)).rows[0].search_path, 'vendors2, extensions');
      assert.match(await failureOf(() => asRole.query(`CREATE TABLE public.stash (id int)`)), /permission denied for schema public/);
    } finally {
      await asRole.end();
    }
  });
});
