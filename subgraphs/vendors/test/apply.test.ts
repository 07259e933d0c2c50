import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  APPLY,
  applyStore,
  codes,
  customer,
  field,
  startTestVendors,
  user,
  vendorUser,
  type TestVendors,
  type VendorView,
} from './helpers';

const MY_STORE = `{ myStore { id slug name status members { userId role } } }`;
const UPDATE = `mutation($i: UpdateStoreInput!) { updateMyStore(input: $i) { id slug name description logoUrl contactEmail contactPhone businessHours { day opens closes } } }`;
const AUDIT = `{ myStore { auditLog { action actor { id } changes { field from to } } } }`;

describe('vendors: applying for a store, my store, updating it', () => {
  let t: TestVendors;
  before(async () => {
    t = await startTestVendors();
  });
  after(() => t.stop());

  it('opens a PENDING store for a VENDOR with an OWNER membership, an audit entry and an event', async () => {
    const owner = vendorUser();
    const input = {
      name: '  Zaria Leather Works ',
      description: 'Hand-tooled leather bags.',
      contactEmail: ' Hello@Zaria.NG ',
      contactPhone: '0803 123 4567',
      logoUrl: 'https://img.fashionistar.test/zaria.png',
      businessHours: [
        { day: 'SAT', opens: '10:00', closes: '14:00' },
        { day: 'MON', opens: '09:00', closes: '17:00' },
      ],
    };
    const { vendor } = await applyStore(t, input, owner);
    assert.deepEqual(
      { ...vendor, id: undefined, createdAt: undefined },
      {
        id: undefined,
        createdAt: undefined,
        slug: 'zaria-leather-works',
        name: 'Zaria Leather Works',
        description: 'Hand-tooled leather bags.',
        logoUrl: 'https://img.fashionistar.test/zaria.png',
        contactEmail: 'hello@zaria.ng',
        contactPhone: '+2348031234567',
        status: 'PENDING',
        commissionRate: null,
        businessHours: [
          { day: 'MON', opens: '09:00', closes: '17:00' },
          { day: 'SAT', opens: '10:00', closes: '14:00' },
        ],
      },
    );
    const mine = await t.ok<{ myStore: { id: string; members: unknown[] } }>(MY_STORE, {}, { identity: owner });
    assert.equal(mine.myStore.id, vendor.id);
    assert.deepEqual(mine.myStore.members, [{ userId: owner.userId, role: 'OWNER' }]);
    const audit = await t.sql<{ action: string; actor_id: string; changes: Record<string, { from: unknown; to: unknown }> }>(
      `SELECT action, actor_id, changes FROM vendor_audit WHERE vendor_id = $1`,
      [vendor.id],
    );
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.action, 'vendor.applied');
    assert.equal(audit[0]!.actor_id, owner.userId);
    assert.deepEqual(audit[0]!.changes.status, { from: null, to: 'PENDING' });
    assert.deepEqual(audit[0]!.changes.owner, { from: null, to: owner.userId });
    const events = await t.sql<{ type: string; version: number; payload: unknown }>(
      `SELECT type, version, payload FROM outbox_event WHERE payload->>'vendorId' = $1`,
      [vendor.id],
    );
    assert.deepEqual(events, [
      {
        type: 'vendors.vendor.status-changed',
        version: 1,
        payload: { vendorId: vendor.id, status: 'PENDING', previousStatus: null, version: 1 },
      },
    ]);
  });

  it('lets signed-in VENDOR and CUSTOMER users apply (a customer becomes a vendor), and each own at most one store', async () => {
    const i = { i: { name: 'Kano Kaftans' } };
    assert.deepEqual(codes(await t.call(APPLY, i)), ['UNAUTHENTICATED']);
    const refused = await t.call(APPLY, i, { identity: user('ADMIN') });
    assert.deepEqual(codes(refused), ['FORBIDDEN']);
    assert.match(refused.errors![0]!.message, /customer or vendor/);
    assert.deepEqual(codes(await t.call(APPLY, i, { identity: user('DELIVERY') })), ['FORBIDDEN']);
    const owner = vendorUser();
    await applyStore(t, { name: 'Kano Kaftans' }, owner);
    assert.deepEqual(codes(await t.call(APPLY, { i: { name: 'Another Store' } }, { identity: owner })), ['CONFLICT']);
    const rows = await t.sql(`SELECT vendor_id FROM vendor_member WHERE user_id = $1`, [owner.userId]);
    assert.equal(rows.length, 1);
    assert.deepEqual(
      t.grants.filter((g) => g.userId === owner.userId),
      [],
      'a VENDOR needs no grant',
    );

    // A customer: identity adds VENDOR to their own account first, then the store opens; the
    // token they still hold (CUSTOMER only) is enough for everything a store owner does next.
    const shopper = customer();
    const { vendor } = await applyStore(t, { name: 'From Shopper To Seller' }, shopper);
    assert.equal(vendor.status, 'PENDING');
    assert.deepEqual(
      t.grants.filter((g) => g.userId === shopper.userId).map((g) => g.identity?.userId),
      [shopper.userId],
      'asked once, as the customer themselves',
    );
    const mine = await t.ok<{ myStore: { id: string; members: Array<{ role: string }> } }>(MY_STORE, {}, { identity: shopper });
    assert.deepEqual([mine.myStore.id, mine.myStore.members.map((m) => m.role)], [vendor.id, ['OWNER']]);
    await t.ok(UPDATE, { i: { description: 'Still on a customer token.' } }, { identity: shopper });
    // A second application as the same customer (token not yet refreshed) is a CONFLICT, with no new grant.
    assert.deepEqual(codes(await t.call(APPLY, { i: { name: 'Second Try' } }, { identity: shopper })), ['CONFLICT']);
    assert.equal(t.grants.filter((g) => g.userId === shopper.userId).length, 1);
  });

  it('grants nothing to a customer whose input is invalid', async () => {
    const shopper = customer();
    assert.deepEqual(codes(await t.call(APPLY, { i: { name: ' ' } }, { identity: shopper })), ['BAD_USER_INPUT']);
    assert.deepEqual(
      t.grants.filter((g) => g.userId === shopper.userId),
      [],
    );
  });

  it('refuses a second store even when the same user applies twice at once', async () => {
    const owner = vendorUser();
    const results = await Promise.all([1, 2, 3].map((n) => t.call(APPLY, { i: { name: `Race Store ${n}` } }, { identity: owner })));
    assert.equal(results.filter((r) => !r.errors).length, 1);
    assert.deepEqual(results.flatMap(codes), ['CONFLICT', 'CONFLICT']);
  });

  it('makes slugs unique with a numeric suffix, ASCII only, and keeps them on rename', async () => {
    const slugs: string[] = [];
    for (const name of ['Ọ̀ṣun Fabrics', 'Osun Fabrics', 'OSUN   fabrics!!', 'Osun Fabrics 2']) {
      slugs.push((await applyStore(t, { name })).vendor.slug);
    }
    assert.deepEqual(slugs, ['osun-fabrics', 'osun-fabrics-2', 'osun-fabrics-3', 'osun-fabrics-2-2']);
    // The seed already holds "Adire Lagos".
    assert.equal((await applyStore(t, { name: 'Adire Lagos' })).vendor.slug, 'adire-lagos-2');
    assert.equal((await applyStore(t, { name: '東京' })).vendor.slug, 'store');
  });

  it('answers BAD_USER_INPUT naming the field (relative to the arguments) and writes nothing on bad input', async () => {
    const owner = vendorUser();
    const before = await t.sql<{ n: string }>(`SELECT (SELECT count(*) FROM vendor) + (SELECT count(*) FROM vendor_audit) AS n`);
    for (const [input, name] of [
      [{ name: '   ' }, 'input.name'],
      [{ name: 'x'.repeat(101) }, 'input.name'],
      [{ name: 'Ok', contactEmail: 'not-an-email' }, 'input.contactEmail'],
      [{ name: 'Ok', contactPhone: '12345' }, 'input.contactPhone'],
      [{ name: 'Ok', logoUrl: 'http://insecure.example/logo.png' }, 'input.logoUrl'],
      [{ name: 'Ok', logoUrl: 'not a url' }, 'input.logoUrl'],
      [{ name: 'Ok', businessHours: [{ day: 'MON', opens: '9am', closes: '18:00' }] }, 'input.businessHours.0.opens'],
      [{ name: 'Ok', businessHours: [{ day: 'MON', opens: '09:00', closes: '24:00' }] }, 'input.businessHours.0.closes'],
      [
        {
          name: 'Ok',
          businessHours: [
            { day: 'MON', opens: '09:00', closes: '17:00' },
            { day: 'TUE', opens: '18:00', closes: '09:00' },
          ],
        },
        'input.businessHours.1.closes',
      ],
      [
        {
          name: 'Ok',
          businessHours: [
            { day: 'MON', opens: '09:00', closes: '17:00' },
            { day: 'MON', opens: '10:00', closes: '12:00' },
          ],
        },
        'input.businessHours.1.day',
      ],
    ] as const) {
      const r = await t.call(APPLY, { i: input }, { identity: owner });
      assert.deepEqual(codes(r), ['BAD_USER_INPUT'], JSON.stringify(input));
      assert.equal(field(r), name, JSON.stringify(input));
    }
    const afterCount = await t.sql<{ n: string }>(`SELECT (SELECT count(*) FROM vendor) + (SELECT count(*) FROM vendor_audit) AS n`);
    assert.equal(afterCount[0]!.n, before[0]!.n);
    assert.equal((await t.ok<{ myStore: null }>(MY_STORE, {}, { identity: owner })).myStore, null, 'the failed applicant has no store');
  });

  it('reports every problem of an application at once, each under its path', async () => {
    const r = await t.call(
      APPLY,
      {
        i: {
          name: '',
          contactEmail: 'nope',
          logoUrl: 'http://x.example/a.png',
          businessHours: [
            { day: 'MON', opens: '9am', closes: '18:00' },
            { day: 'MON', opens: '10:00', closes: '09:00' },
          ],
        },
      },
      { identity: vendorUser() },
    );
    assert.deepEqual(codes(r), ['BAD_USER_INPUT']);
    const ext = r.errors![0]!.extensions!;
    assert.equal(ext.field, 'input.name');
    assert.deepEqual((ext.fields as Array<{ path: string }>).map((f) => f.path).sort(), [
      'input.businessHours.0.opens',
      'input.businessHours.1.closes',
      'input.businessHours.1.day',
      'input.contactEmail',
      'input.logoUrl',
      'input.name',
    ]);
  });

  it('answers myStore: UNAUTHENTICATED when anonymous, null without a store', async () => {
    assert.deepEqual(codes(await t.call(MY_STORE)), ['UNAUTHENTICATED']);
    assert.equal((await t.ok<{ myStore: VendorView | null }>(MY_STORE, {}, { identity: customer() })).myStore, null);
  });

  it('updates the store profile for members only, keeps the slug, and audits only what changed', async () => {
    const { vendor, owner } = await applyStore(t, { name: 'Benin Bronze Boutique', contactEmail: 'a@benin.ng' });
    assert.deepEqual(codes(await t.call(UPDATE, { i: { name: 'X' } })), ['UNAUTHENTICATED']);
    assert.deepEqual(codes(await t.call(UPDATE, { i: { name: 'X' } }, { identity: vendorUser() })), ['FORBIDDEN']);
    assert.deepEqual(codes(await t.call(UPDATE, { i: { name: ' ' } }, { identity: owner })), ['BAD_USER_INPUT']);

    const d = await t.ok<{ updateMyStore: Record<string, unknown> }>(
      UPDATE,
      { i: { name: 'Benin Bronze House', contactEmail: 'a@benin.ng', description: 'Bronze-cast jewellery.', businessHours: [] } },
      { identity: owner },
    );
    assert.equal(d.updateMyStore.slug, vendor.slug, 'the slug does not follow the name');
    assert.equal(d.updateMyStore.name, 'Benin Bronze House');
    assert.equal(d.updateMyStore.description, 'Bronze-cast jewellery.');
    const cleared = await t.ok<{ updateMyStore: Record<string, unknown> }>(UPDATE, { i: { contactEmail: '' } }, { identity: owner });
    assert.equal(cleared.updateMyStore.contactEmail, null);
    assert.equal(cleared.updateMyStore.name, 'Benin Bronze House', 'omitted fields stay');
    await t.ok(UPDATE, { i: { name: 'Benin Bronze House' } }, { identity: owner }); // no change: no entry

    const log = (
      await t.ok<{
        myStore: {
          auditLog: Array<{ action: string; actor: { id: string }; changes: Array<{ field: string; from: unknown; to: unknown }> }>;
        };
      }>(AUDIT, {}, { identity: owner })
    ).myStore.auditLog;
    assert.deepEqual(
      log.map((e) => e.action),
      ['VENDOR_UPDATED', 'VENDOR_UPDATED', 'VENDOR_APPLIED'],
    );
    assert.ok(log.every((e) => e.actor.id === owner.userId));
    assert.deepEqual(
      log[1]!.changes.sort((a, b) => a.field.localeCompare(b.field)),
      [
        { field: 'description', from: null, to: 'Bronze-cast jewellery.' },
        { field: 'name', from: 'Benin Bronze Boutique', to: 'Benin Bronze House' },
      ],
    );
    assert.deepEqual(log[0]!.changes, [{ field: 'contactEmail', from: 'a@benin.ng', to: null }]);
    const [row] = await t.sql<{ version: string }>(`SELECT version FROM vendor WHERE id = $1`, [vendor.id]);
    assert.equal(row!.version, '3', 'applied (1), then two changes; the update that changed nothing left it');
  });

  it('follows the update convention: absent keeps, null clears where allowed, else BAD_USER_INPUT on its path', async () => {
    const { owner } = await applyStore(t, {
      name: 'Null Rules',
      description: 'Kept unless cleared.',
      logoUrl: 'https://img.example/logo.png',
      contactPhone: '08031234567',
      businessHours: [{ day: 'MON', opens: '09:00', closes: '17:00' }],
    });
    type Store = {
      name: string;
      description: string | null;
      logoUrl: string | null;
      contactPhone: string | null;
      businessHours: unknown[];
    };
    const bad = await t.call(UPDATE, { i: { name: null, businessHours: null, description: null } }, { identity: owner });
    assert.deepEqual(codes(bad), ['BAD_USER_INPUT']);
    assert.deepEqual(
      (bad.errors![0]!.extensions!.fields as Array<{ path: string }>).map((f) => f.path),
      ['input.name', 'input.businessHours'],
      'every problem at once; description: null alone would be fine',
    );
    const kept = (await t.ok<{ updateMyStore: Store }>(UPDATE, { i: { description: null } }, { identity: owner })).updateMyStore;
    assert.deepEqual(
      [kept.name, kept.description, kept.logoUrl, kept.contactPhone, kept.businessHours.length],
      ['Null Rules', null, 'https://img.example/logo.png', '+2348031234567', 1],
      'null cleared the description; absent fields stayed',
    );
    const cleared = (
      await t.ok<{ updateMyStore: Store }>(UPDATE, { i: { logoUrl: null, contactPhone: null, businessHours: [] } }, { identity: owner })
    ).updateMyStore;
    assert.deepEqual([cleared.logoUrl, cleared.contactPhone, cleared.businessHours], [null, null, []]);
  });
});
