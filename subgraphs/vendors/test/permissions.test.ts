import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Kind } from 'graphql';
import { loadTypeDefs, type Identity } from '@fashionistar/shared';
import { subgraph } from '../src/server';
import { ALL_STORE_PERMISSIONS } from '../src/services/permissions';
import { addMember, admin, applyStore, codes, customer, startTestVendors, user, type GqlResult, type TestVendors } from './helpers';

/**
 * The member matrix, one cell at a time: every store operation called as the store's OWNER, a
 * STAFF member, a signed-in outsider, an anonymous caller and an admin. The expected outcomes are
 * written out here (not read from the table under test), so a change of the matrix fails a cell.
 */

type Who = 'OWNER' | 'STAFF' | 'OUTSIDER' | 'ANONYMOUS' | 'ADMIN';
/** `ok`: answered with the data; `hidden`: answered, but the private data is null or empty. */
type Outcome = 'ok' | 'hidden' | 'FORBIDDEN' | 'UNAUTHENTICATED' | 'CONFLICT';

interface Op {
  name: string;
  run(t: TestVendors, as: Identity | undefined, store: Store): Promise<GqlResult<Record<string, unknown>>>;
  /** For reads: true when the answer shows the private data. */
  shows?(data: Record<string, unknown>): boolean;
  cells: Record<Who, Outcome>;
}

interface Store {
  id: string;
  slug: string;
  owner: Identity;
  staff: Identity;
}

const VENDOR_FIELD = (field: string) => `query($slug: String!) { vendor(slug: $slug) { ${field} } }`;
const readOf = (d: Record<string, unknown>) => d.vendor as Record<string, unknown> | null;
const OWNER_ONLY_WRITE: Record<Who, Outcome> = {
  OWNER: 'ok',
  STAFF: 'FORBIDDEN',
  OUTSIDER: 'FORBIDDEN',
  ANONYMOUS: 'UNAUTHENTICATED',
  // Admins have no store of their own: "my store" operations refuse them, as before.
  ADMIN: 'FORBIDDEN',
};
const OWNER_ONLY_READ: Record<Who, Outcome> = { OWNER: 'ok', STAFF: 'hidden', OUTSIDER: 'hidden', ANONYMOUS: 'hidden', ADMIN: 'ok' };
const MEMBER_READ: Record<Who, Outcome> = { OWNER: 'ok', STAFF: 'ok', OUTSIDER: 'hidden', ANONYMOUS: 'hidden', ADMIN: 'ok' };

/** A member to remove or re-role, fresh per cell so each cell really changes something. */
async function victim(t: TestVendors, s: Store): Promise<Identity> {
  return addMember(t, s.owner, 'STAFF');
}

const OPS: Op[] = [
  {
    name: 'updateMyStore: identity (name, description, logo, hours)',
    run: (t, as) => t.call(`mutation { updateMyStore(input: { description: "Hand-dyed adire" }) { id } }`, {}, { identity: as }),
    cells: OWNER_ONLY_WRITE,
  },
  {
    name: 'updateMyStore: contact fields',
    run: (t, as) => t.call(`mutation { updateMyStore(input: { contactPhone: "08031234567" }) { id } }`, {}, { identity: as }),
    cells: OWNER_ONLY_WRITE,
  },
  {
    name: 'submitKyc',
    run: (t, as) =>
      t.call(
        `mutation($u: String!) { submitKyc(input: { documentType: NIN, documentUrl: $u }) { id } }`,
        { u: `https://docs.fashionistar.test/${Math.random()}.pdf` },
        { identity: as },
      ),
    // A second NIN while one is pending is CONFLICT, so the OWNER cell runs on its own store state.
    cells: OWNER_ONLY_WRITE,
  },
  {
    name: 'Vendor.kycSubmissions',
    run: (t, as, s) => t.call(VENDOR_FIELD('kycSubmissions { id }'), { slug: s.slug }, { identity: as }),
    shows: (d) => ((readOf(d)?.kycSubmissions as unknown[]) ?? []).length > 0,
    cells: OWNER_ONLY_READ,
  },
  {
    name: 'Vendor.auditLog',
    run: (t, as, s) => t.call(VENDOR_FIELD('auditLog(first: 5) { action }'), { slug: s.slug }, { identity: as }),
    shows: (d) => ((readOf(d)?.auditLog as unknown[]) ?? []).length > 0,
    cells: OWNER_ONLY_READ,
  },
  {
    name: 'Vendor.members',
    run: (t, as, s) => t.call(VENDOR_FIELD('members { userId }'), { slug: s.slug }, { identity: as }),
    shows: (d) => ((readOf(d)?.members as unknown[]) ?? []).length >= 2,
    cells: MEMBER_READ,
  },
  {
    name: 'Vendor.commissionRate',
    run: (t, as, s) => t.call(VENDOR_FIELD('commissionRate'), { slug: s.slug }, { identity: as }),
    shows: (d) => readOf(d)?.commissionRate === '0.0750',
    cells: MEMBER_READ,
  },
  {
    name: 'myStore',
    run: (t, as) => t.call(`{ myStore { id } }`, {}, { identity: as }),
    shows: (d) => d.myStore !== null,
    cells: { OWNER: 'ok', STAFF: 'ok', OUTSIDER: 'hidden', ANONYMOUS: 'UNAUTHENTICATED', ADMIN: 'hidden' },
  },
  {
    name: 'inviteStoreMember',
    run: (t, as) => t.call(`mutation { inviteStoreMember(email: "someone@example.test") }`, {}, { identity: as }),
    cells: OWNER_ONLY_WRITE,
  },
  {
    name: 'removeStoreMember',
    run: async (t, as, s) =>
      t.call(`mutation($u: ID!) { removeStoreMember(userId: $u) { id } }`, { u: (await victim(t, s)).userId }, { identity: as }),
    cells: OWNER_ONLY_WRITE,
  },
  {
    name: 'changeStoreMemberRole',
    run: async (t, as, s) =>
      t.call(
        `mutation($u: ID!) { changeStoreMemberRole(userId: $u, role: OWNER) { id } }`,
        { u: (await victim(t, s)).userId },
        { identity: as },
      ),
    cells: OWNER_ONLY_WRITE,
  },
  {
    name: 'leaveStore (a member leaves; the last OWNER cannot)',
    run: (t, as, s) => t.call(`mutation($v: ID!) { leaveStore(vendorId: $v) }`, { v: s.id }, { identity: as }),
    cells: { OWNER: 'CONFLICT', STAFF: 'ok', OUTSIDER: 'FORBIDDEN', ANONYMOUS: 'UNAUTHENTICATED', ADMIN: 'FORBIDDEN' },
  },
];

describe('vendors: the member matrix, cell by cell', () => {
  let t: TestVendors;
  before(async () => {
    t = await startTestVendors({ SEED: 'false' });
  });
  after(() => t.stop());

  /** A PENDING store (so `vendor(slug)` shows it only to members and admins) with an owner and one STAFF member. */
  async function freshStore(): Promise<Store> {
    const { vendor, owner } = await applyStore(t);
    const staff = await addMember(t, owner, 'STAFF');
    await t.ok(`mutation($id: ID!) { setCommissionRate(id: $id, rate: "0.0750") { id } }`, { id: vendor.id }, { identity: admin() });
    // Something to read in the owner-only lists.
    await t.ok(
      `mutation { submitKyc(input: { documentType: CAC_CERTIFICATE, documentUrl: "https://docs.fashionistar.test/cac.pdf" }) { id } }`,
      {},
      { identity: owner },
    );
    return { id: vendor.id, slug: vendor.slug, owner, staff };
  }

  const callers = (s: Store): Record<Who, Identity | undefined> => ({
    OWNER: s.owner,
    STAFF: s.staff,
    OUTSIDER: user('VENDOR', 'CUSTOMER'),
    ANONYMOUS: undefined,
    ADMIN: admin(),
  });

  for (const op of OPS) {
    for (const who of ['STAFF', 'OUTSIDER', 'ANONYMOUS', 'ADMIN', 'OWNER'] as const) {
      const expected = op.cells[who];
      it(`${op.name} as ${who}: ${expected}`, async () => {
        const s = await freshStore();
        const r = await op.run(t, callers(s)[who], s);
        if (expected === 'ok' || expected === 'hidden') {
          assert.equal(r.errors, undefined, JSON.stringify(r.errors));
          if (op.shows) assert.equal(op.shows(r.data!), expected === 'ok', JSON.stringify(r.data));
        } else {
          assert.deepEqual(codes(r), [expected], JSON.stringify(r.errors ?? r.data));
        }
      });
    }
  }

  it('a refused STAFF write changes nothing and names the permission it lacks', async () => {
    const s = await freshStore();
    const r = await t.call(`mutation { updateMyStore(input: { name: "Taken Over" }) { id } }`, {}, { identity: s.staff });
    assert.deepEqual(codes(r), ['FORBIDDEN']);
    assert.match(r.errors![0]!.message, /EDIT_STORE_IDENTITY/);
    const [row] = await t.sql<{ name: string }>(`SELECT name FROM vendor WHERE id = $1`, [s.id]);
    assert.notEqual(row!.name, 'Taken Over');
  });

  it('storeAccess and myStoreAccess answer the permissions each role holds', async () => {
    const s = await freshStore();
    const q = `query($ids: [ID!]!) { storeAccess(vendorIds: $ids) { memberRole permissions } myStoreAccess { memberRole permissions } }`;
    type A = { memberRole: string | null; permissions: string[] };
    const as = (who: Identity | undefined) => t.ok<{ storeAccess: A[]; myStoreAccess: A | null }>(q, { ids: [s.id] }, { identity: who });
    const staffOnes = ['MANAGE_PRODUCTS', 'MANAGE_STOCK', 'MANAGE_ORDERS', 'VIEW_SALES_ANALYTICS', 'CHAT_AND_OFFERS', 'REPLY_TO_REVIEWS'];
    const owner = await as(s.owner);
    assert.equal(owner.storeAccess[0]!.permissions.length, 17);
    assert.deepEqual(owner.myStoreAccess, owner.storeAccess[0]);
    const staff = await as(s.staff);
    assert.deepEqual(staff.storeAccess[0], { memberRole: 'STAFF', permissions: staffOnes });
    assert.deepEqual(staff.myStoreAccess, staff.storeAccess[0]);
    for (const who of [customer(), admin(), undefined]) {
      assert.deepEqual((await as(who)).storeAccess[0], { memberRole: null, permissions: [] });
    }
  });

  it('the SDL enum StorePermission names exactly the permissions of the matrix table', () => {
    const enumDef = loadTypeDefs(subgraph.definition.schemaDir).definitions.find(
      (d) => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === 'StorePermission',
    );
    assert.ok(enumDef && enumDef.kind === Kind.ENUM_TYPE_DEFINITION);
    const values = (enumDef.values ?? []).map((v) => v.name.value);
    assert.deepEqual([...values].sort(), [...ALL_STORE_PERMISSIONS].sort());
  });
});
