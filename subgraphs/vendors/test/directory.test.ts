import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SEED_STORES } from '../src/seed/seed';
import { admin, applyStore, approve, codes, customer, field, seededOwner, startTestVendors, vendorUser, type TestVendors } from './helpers';

const BY_SLUG = `query($s: String!) { vendor(slug: $s) { id status commissionRate members { role } kycSubmissions { id } auditLog { action } } }`;
const LIST = `query($first: Int, $after: String, $search: String) {
  vendors(first: $first, after: $after, filter: { search: $search }) { edges { cursor node { id name status } } pageInfo { hasNextPage endCursor } totalCount } }`;
const ADMIN_LIST = `query($status: VendorStatus, $first: Int, $after: String) {
  adminVendors(status: $status, first: $first, after: $after) { edges { node { id status } } pageInfo { hasNextPage endCursor } totalCount } }`;

/** A cursor holding `values`, encoded the way the lists encode theirs. */
const cursor = (values: unknown[]): string => Buffer.from(JSON.stringify(values)).toString('base64url');

interface Page {
  edges: Array<{ cursor: string; node: { id: string; name: string; status: string } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

describe('vendors: reading stores (by slug, the directory, the admin list)', () => {
  let t: TestVendors;
  before(async () => {
    t = await startTestVendors();
  });
  after(() => t.stop());

  it('hides a store that is not APPROVED from everyone but its members and admins', async () => {
    const { vendor, owner } = await applyStore(t, { name: 'Hidden Gele Studio' });
    const anon = await t.call<{ vendor: unknown }>(BY_SLUG, { s: vendor.slug });
    assert.equal(anon.errors, undefined);
    assert.equal(anon.data!.vendor, null);
    assert.equal((await t.ok<{ vendor: unknown }>(BY_SLUG, { s: vendor.slug }, { identity: customer() })).vendor, null);
    const own = await t.ok<{ vendor: { id: string; status: string; members: unknown[] } }>(
      BY_SLUG,
      { s: vendor.slug },
      { identity: owner },
    );
    assert.deepEqual([own.vendor.id, own.vendor.status, own.vendor.members], [vendor.id, 'PENDING', [{ role: 'OWNER' }]]);
    const adm = await t.ok<{ vendor: { id: string } }>(BY_SLUG, { s: vendor.slug }, { identity: admin() });
    assert.equal(adm.vendor.id, vendor.id);
    assert.equal((await t.ok<{ vendor: unknown }>(BY_SLUG, { s: 'no-such-store' })).vendor, null);
  });

  it('shows an APPROVED store to everyone, with private fields only to members and admins', async () => {
    const slug = SEED_STORES[0]!.slug;
    const pub = await t.ok<{ vendor: Record<string, unknown> }>(BY_SLUG, { s: slug }, { identity: vendorUser() });
    assert.deepEqual(pub.vendor, {
      id: SEED_STORES[0]!.id,
      status: 'APPROVED',
      commissionRate: null,
      members: [],
      kycSubmissions: [],
      auditLog: [],
    });
    await t.ok(`mutation($id: ID!) { setCommissionRate(id: $id, rate: "0.05") { id } }`, { id: SEED_STORES[0]!.id }, { identity: admin() });
    const own = await t.ok<{ vendor: { commissionRate: string; members: unknown[]; auditLog: Array<{ action: string }> } }>(
      BY_SLUG,
      { s: slug },
      { identity: seededOwner(1) },
    );
    assert.equal(own.vendor.commissionRate, '0.0500');
    assert.deepEqual(own.vendor.members, [{ role: 'OWNER' }]);
    assert.deepEqual(
      own.vendor.auditLog.map((e) => e.action),
      ['VENDOR_COMMISSION_CHANGED', 'VENDOR_SEEDED'],
    );
    const other = await t.ok<{ vendor: { commissionRate: string | null } }>(BY_SLUG, { s: slug }, { identity: seededOwner(2) });
    assert.equal(other.vendor.commissionRate, null, "another store's owner is not a member");
  });

  it('lists only APPROVED stores by name, in stable keyset pages that neither skip nor repeat', async () => {
    const mk = async (name: string) => {
      const { vendor } = await applyStore(t, { name });
      await approve(t, vendor.id);
      return vendor.id;
    };
    for (const name of ['Kente Corner', 'Lace Lounge', 'Moda Mushin']) await mk(name);
    await applyStore(t, { name: 'Pending Palace' }); // not approved: never listed
    const suspended = await mk('Suspended Styles');
    await t.ok(`mutation($id: ID!) { suspendVendor(id: $id, reason: "Counterfeits") { id } }`, { id: suspended }, { identity: admin() });

    const all = (await t.ok<{ vendors: Page }>(LIST, { first: 100 })).vendors;
    const names = all.edges.map((e) => e.node.name);
    const expected = await t.sql<{ name: string }>(`SELECT name FROM vendor WHERE status = 'APPROVED' ORDER BY name, id`);
    assert.deepEqual(
      names,
      expected.map((r) => r.name),
    );
    assert.ok(all.edges.every((e) => e.node.status === 'APPROVED'));
    assert.ok(!names.includes('Pending Palace') && !names.includes('Suspended Styles'));
    assert.equal(all.totalCount, names.length);
    assert.equal(all.pageInfo.hasNextPage, false);

    const seen: string[] = [];
    let page = (await t.ok<{ vendors: Page }>(LIST, { first: 3 })).vendors;
    seen.push(...page.edges.map((e) => e.node.name));
    assert.equal(page.pageInfo.hasNextPage, true);
    // A store sorting before the cursor appears meanwhile: later pages must not shift or repeat.
    await mk('Aaa First Store');
    while (page.pageInfo.hasNextPage) {
      page = (await t.ok<{ vendors: Page }>(LIST, { first: 3, after: page.pageInfo.endCursor })).vendors;
      seen.push(...page.edges.map((e) => e.node.name));
    }
    assert.deepEqual(seen, names, 'every store once, in order, none skipped or repeated');
    assert.equal(page.totalCount, names.length + 1, 'the total counts the new store');
  });

  it('orders stores with the same name by id, so a page break between them loses neither', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { vendor } = await applyStore(t, { name: 'Twin Tailors' });
      await approve(t, vendor.id);
      ids.push(vendor.id);
    }
    const got: string[] = [];
    let after: string | null = null;
    do {
      const p: Page = (await t.ok<{ vendors: Page }>(LIST, { first: 1, after, search: 'twin tailors' })).vendors;
      got.push(...p.edges.map((e) => e.node.id));
      after = p.pageInfo.hasNextPage ? p.pageInfo.endCursor : null;
    } while (after);
    assert.deepEqual(got, [...ids].sort());
  });

  it('searches names case-insensitively, treating % and _ literally', async () => {
    const { vendor } = await applyStore(t, { name: '100% Cotton_Club' });
    await approve(t, vendor.id);
    const search = async (s: string) => (await t.ok<{ vendors: Page }>(LIST, { search: s })).vendors;
    assert.deepEqual(
      (await search('ADIRE')).edges.map((e) => e.node.name),
      ['Adire Lagos'],
    );
    assert.deepEqual(
      (await search('0% cotton_')).edges.map((e) => e.node.name),
      ['100% Cotton_Club'],
    );
    assert.equal((await search('%')).totalCount, 1, '% matches only a literal percent sign');
    assert.equal((await search('_')).totalCount, 1);
    assert.equal((await search('nothing like this')).totalCount, 0);
  });

  it('refuses bad page arguments with BAD_USER_INPUT naming the argument', async () => {
    for (const [vars, name] of [
      [{ first: 0 }, 'first'],
      [{ first: 101 }, 'first'],
      [{ after: 'garbage' }, 'after'],
      [{ after: cursor(['x', 'not-a-uuid']) }, 'after'],
    ] as const) {
      const r = await t.call(LIST, vars);
      assert.deepEqual(codes(r), ['BAD_USER_INPUT'], JSON.stringify(vars));
      assert.equal(field(r), name);
    }
  });

  it('refuses cursors whose values have the wrong type or format, in both lists, never failing inside', async () => {
    const id = SEED_STORES[0]!.id;
    // Wrong for either list.
    const both: unknown[][] = [
      ['x', 'y'],
      [null, null],
      [id, 'Adire Lagos'],
      [1, id],
      ['Adire Lagos', 7],
      ['Adire Lagos', id, 'extra'],
      [id],
    ];
    // Wrong for the directory (a store name: trimmed, 1 to 100 characters, no NUL).
    const byName: unknown[][] = [
      ['', id],
      [' Adire Lagos', id],
      ['x'.repeat(101), id],
      ['Adire\u0000Lagos', id],
    ];
    // Wrong for the admin list (the millisecond ISO text of an instant).
    const byAge: unknown[][] = [
      ['x', id],
      ['Adire Lagos', id],
      ['1', id],
      ['2026-01-01', id],
      ['2026-02-30T00:00:00.000Z', id],
      ['2026-13-45T00:00:00.000Z', id],
      ['2026-01-01T00:00:00Z', id],
      ['2026-01-01 00:00:00.000+00', id],
    ];
    for (const values of [...both, ...byName]) {
      const r = await t.call(LIST, { after: cursor(values) });
      assert.deepEqual([codes(r), field(r)], [['BAD_USER_INPUT'], 'after'], `vendors after ${JSON.stringify(values)}`);
    }
    for (const values of [...both, ...byAge]) {
      const r = await t.call(ADMIN_LIST, { after: cursor(values) }, { identity: admin() });
      assert.deepEqual([codes(r), field(r)], [['BAD_USER_INPUT'], 'after'], `adminVendors after ${JSON.stringify(values)}`);
    }
    // The cursors the lists write still work.
    const first = (await t.ok<{ vendors: Page }>(LIST, { first: 1 })).vendors;
    assert.equal((await t.call(LIST, { first: 1, after: first.pageInfo.endCursor })).errors, undefined);
    const oldest = (await t.ok<{ adminVendors: Page }>(ADMIN_LIST, { first: 1 }, { identity: admin() })).adminVendors;
    assert.equal((await t.call(ADMIN_LIST, { first: 1, after: oldest.pageInfo.endCursor }, { identity: admin() })).errors, undefined);
  });

  it('lists every store to admins only, filtered by status, oldest first', async () => {
    assert.deepEqual(codes(await t.call(ADMIN_LIST, {})), ['UNAUTHENTICATED']);
    assert.deepEqual(codes(await t.call(ADMIN_LIST, {}, { identity: vendorUser() })), ['FORBIDDEN']);
    const a = await applyStore(t, { name: 'Queue One' });
    const b = await applyStore(t, { name: 'Queue Two' });
    const pending = (await t.ok<{ adminVendors: Page }>(ADMIN_LIST, { status: 'PENDING', first: 100 }, { identity: admin() })).adminVendors;
    assert.ok(pending.edges.every((e) => e.node.status === 'PENDING'));
    const ids = pending.edges.map((e) => e.node.id);
    assert.ok(ids.indexOf(a.vendor.id) < ids.indexOf(b.vendor.id) && ids.indexOf(a.vendor.id) >= 0, 'oldest first');
    const everyone: string[] = [];
    let after: string | null = null;
    do {
      const p: Page = (await t.ok<{ adminVendors: Page }>(ADMIN_LIST, { first: 4, after }, { identity: admin() })).adminVendors;
      everyone.push(...p.edges.map((e) => e.node.id));
      after = p.pageInfo.hasNextPage ? p.pageInfo.endCursor : null;
    } while (after);
    const [{ n }] = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM vendor`);
    assert.equal(everyone.length, Number(n));
    assert.equal(new Set(everyone).size, everyone.length, 'no store twice across pages');
  });
});
