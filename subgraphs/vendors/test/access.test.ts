import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { printSchema } from 'graphql';
import { InternalClient, StoreAccessQuery, createLogger, loadTypeDefs, type Identity } from '@fashionistar/shared';
import { testContext } from '@fashionistar/shared/testing';
import { subgraph } from '../src/server';
import { SEED_STORES, SEED_STORE_IDS, seedVendors } from '../src/seed/seed';
import { admin, applyStore, approve, customer, seededOwner, startTestVendors, type TestVendors } from './helpers';

const ACCESS = `query($ids: [ID!]!) { storeAccess(vendorIds: $ids) { vendorId status memberRole } }`;
const MY_ACCESS = `{ myStoreAccess { vendorId status memberRole } }`;

describe('vendors: internal store access, entity references, composition and seed', () => {
  let t: TestVendors;
  before(async () => {
    t = await startTestVendors();
  });
  after(() => t.stop());

  it('answers storeAccess once per existing store in input order, with the caller role only for members', async () => {
    const { vendor, owner } = await applyStore(t);
    const ids = [SEED_STORE_IDS[1]!, 'not-a-uuid', vendor.id, '00000000-0000-0000-0000-000000000000', SEED_STORE_IDS[0]!, vendor.id];
    const mine = (await t.ok<{ storeAccess: unknown[] }>(ACCESS, { ids }, { identity: owner })).storeAccess;
    assert.deepEqual(mine, [
      { vendorId: SEED_STORE_IDS[1], status: 'APPROVED', memberRole: null },
      { vendorId: vendor.id, status: 'PENDING', memberRole: 'OWNER' },
      { vendorId: SEED_STORE_IDS[0], status: 'APPROVED', memberRole: null },
    ]);
    const seededOne = (await t.ok<{ storeAccess: Array<{ memberRole: string | null }> }>(ACCESS, { ids }, { identity: seededOwner(1) }))
      .storeAccess;
    assert.deepEqual(
      seededOne.map((a) => a.memberRole),
      [null, null, 'OWNER'],
    );
    const anon = (await t.ok<{ storeAccess: Array<{ memberRole: string | null }> }>(ACCESS, { ids })).storeAccess;
    assert.deepEqual(
      anon.map((a) => a.memberRole),
      [null, null, null],
    );
    const adm = (await t.ok<{ storeAccess: Array<{ memberRole: string | null }> }>(ACCESS, { ids }, { identity: admin() })).storeAccess;
    assert.deepEqual(
      adm.map((a) => a.memberRole),
      [null, null, null],
      'admins are not members; callers check the ADMIN role themselves',
    );
    assert.deepEqual((await t.ok<{ storeAccess: unknown[] }>(ACCESS, { ids: [] })).storeAccess, []);
  });

  it('answers myStoreAccess: the caller store, or null', async () => {
    const { vendor, owner } = await applyStore(t);
    assert.deepEqual((await t.ok<{ myStoreAccess: unknown }>(MY_ACCESS, {}, { identity: owner })).myStoreAccess, {
      vendorId: vendor.id,
      status: 'PENDING',
      memberRole: 'OWNER',
    });
    assert.equal((await t.ok<{ myStoreAccess: unknown }>(MY_ACCESS, {}, { identity: customer() })).myStoreAccess, null);
    assert.equal((await t.ok<{ myStoreAccess: unknown }>(MY_ACCESS)).myStoreAccess, null);
  });

  it('shows another subgraph an approval the moment approveVendor returns (through InternalClient)', async () => {
    const { vendor, owner } = await applyStore(t);
    const client = new InternalClient({ vendors: t.server.url }, t.server.deps.config.ROUTER_SECRET);
    const ctx = (identity: Identity) => testContext({ em: t.server.dataSource.manager, infra: t.infra, identity });
    const ask = async () => {
      const [access] = (await client.query(ctx(owner), StoreAccessQuery, { ids: [vendor.id] })).storeAccess;
      assert.ok(access!.permissions.includes('MANAGE_KYC'), 'the owner holds every permission of the matrix');
      return { vendorId: access!.vendorId, status: access!.status, memberRole: access!.memberRole };
    };
    assert.deepEqual(await ask(), { vendorId: vendor.id, status: 'PENDING', memberRole: 'OWNER' });
    await approve(t, vendor.id);
    assert.deepEqual(await ask(), { vendorId: vendor.id, status: 'APPROVED', memberRole: 'OWNER' });
    await t.ok(`mutation($id: ID!) { suspendVendor(id: $id, reason: "Chargebacks") { id } }`, { id: vendor.id }, { identity: admin() });
    assert.equal((await ask())!.status, 'SUSPENDED');
  });

  it('resolves Vendor references in one batch whose SQL statement count does not grow with the batch', async () => {
    const { vendor } = await applyStore(t, { name: 'Pending Reference' });
    const reps = [...SEED_STORE_IDS, vendor.id, '00000000-0000-0000-0000-000000000000', 'not-a-uuid'].map((id) => ({
      __typename: 'Vendor',
      id,
    }));
    const q = `query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Vendor { id slug status commissionRate members { userId role } kycSubmissions { id } auditLog(first: 2) { action } } } }`;
    type Ent = { id: string; slug: string; status: string; members: Array<{ userId: string }>; auditLog: Array<{ action: string }> } | null;
    const boss = admin();
    const few = await t.call<{ _entities: Ent[] }>(q, { r: reps.slice(0, 1) }, { identity: boss });
    const many = await t.call<{ _entities: Ent[] }>(q, { r: reps }, { identity: boss });
    assert.equal(many.errors, undefined, JSON.stringify(many.errors));
    assert.deepEqual(
      many.data!._entities.map((e) => e?.id ?? null),
      [...SEED_STORE_IDS, vendor.id, null, null],
    );
    assert.deepEqual(
      many.data!._entities.slice(0, 5).map((e) => e!.members.map((m) => m.userId)),
      SEED_STORES.map((s) => [s.ownerId]),
    );
    assert.equal(many.data!._entities[5]!.status, 'PENDING', 'references resolve whatever the status');
    assert.ok(
      many.sqlStatements > 0 && many.sqlStatements <= 4,
      `vendors, members, KYC and audit in one query each, got ${many.sqlStatements}`,
    );
    assert.equal(many.sqlStatements, few.sqlStatements, 'the statement count does not grow with the number of stores');

    // A member (not an admin) adds one statement for their memberships, once per request.
    const member = await t.call<{ _entities: Ent[] }>(q, { r: reps }, { identity: seededOwner(3) });
    assert.deepEqual(
      member.data!._entities.map((e) => e?.members.length ?? null),
      [0, 0, 1, 0, 0, 0, null, null],
      'private fields only for their own store',
    );
    assert.ok(member.sqlStatements <= 5, `got ${member.sqlStatements}`);
    const anon = await t.call(q, { r: reps });
    assert.equal(anon.sqlStatements, 1, 'anonymous callers cost only the batched store lookup');
  });

  it('composes with identity, keeping the internal API out of the public schema', () => {
    const sdl = (dir: string) => loadTypeDefs(dir);
    const result = composeServices([
      { name: 'identity', url: 'http://127.0.0.1:1/graphql', typeDefs: sdl(join(__dirname, '../../identity/src/schema')) },
      { name: 'vendors', url: 'http://127.0.0.1:2/graphql', typeDefs: sdl(subgraph.definition.schemaDir) },
    ]);
    assert.equal(result.errors, undefined, result.errors?.map((e) => e.message).join('\n'));
    const apiSchema = result.schema!.toAPISchema().toGraphQLJSSchema();
    const api = printSchema(apiSchema);
    assert.match(api, /type Vendor \{/);
    const vendors = apiSchema.getQueryType()!.getFields().vendors!;
    assert.deepEqual(
      [vendors.args.map((a) => `${a.name}: ${String(a.type)}`), String(vendors.type)],
      [['first: Int', 'after: String', 'filter: VendorFilter'], 'VendorConnection!'],
    );
    assert.doesNotMatch(api, /storeAccess|myStoreAccess|StoreAccess/);
    assert.match(result.supergraphSdl!, /storeAccess\(vendorIds: \[ID!\]!\): \[StoreAccess!\]!.*@inaccessible/);
  });

  it('seeds five APPROVED stores owned by the seeded vendors, idempotently', async () => {
    const rows = await t.sql<{ id: string; status: string; user_id: string; role: string; logo_url: string }>(
      `SELECT v.id, v.status, m.user_id, m.role, v.logo_url FROM vendor v JOIN vendor_member m ON m.vendor_id = v.id WHERE v.id = ANY($1) ORDER BY v.id`,
      [SEED_STORE_IDS],
    );
    assert.equal(rows.length, 5);
    assert.ok(rows.every((r) => r.status === 'APPROVED' && r.role === 'OWNER' && r.logo_url.startsWith('https://img.fashionistar.test/')));
    assert.deepEqual(rows.map((r) => r.user_id).sort(), SEED_STORES.map((s) => s.ownerId).sort());
    const count = async () =>
      (
        await t.sql<{ n: string }>(
          `SELECT (SELECT count(*) FROM vendor) || '/' || (SELECT count(*) FROM vendor_member) || '/' || (SELECT count(*) FROM vendor_audit) || '/' || (SELECT count(*) FROM outbox_event) AS n`,
        )
      )[0]!.n;
    const before = await count();
    // Count the statements rather than time them (a wall-clock bound flakes on a loaded machine):
    // bulk statements, not a row at a time, whatever the number of stores.
    let statements = 0;
    const ds = t.server.dataSource;
    const counting = new Proxy(ds, {
      get: (target, prop, receiver) =>
        prop === 'query'
          ? (...args: Parameters<typeof ds.query>) => (statements++, target.query(...args))
          : Reflect.get(target, prop, receiver),
    });
    assert.equal(await seedVendors(counting, createLogger('seed', 'silent')), 0);
    assert.ok(statements > 0 && statements <= 3, `three bulk statements at most, got ${statements}`);
    assert.equal(await count(), before);
    const [{ n }] = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM outbox_event WHERE payload->>'vendorId' = ANY($1)`, [
      SEED_STORE_IDS,
    ]);
    assert.equal(n, '0', 'seeding emits no events');
  });
});
