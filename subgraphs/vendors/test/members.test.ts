import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Identity } from '@fashionistar/shared';
import { SEED_STORE_IDS } from '../src/seed/seed';
import { ACCEPT, INVITE, MY_INVITATIONS, addMember, applyStore, codes, field, startTestVendors, user, type TestVendors } from './helpers';

const MEMBERS = `query($slug: String!) { vendor(slug: $slug) { members { userId role } } }`;
const REMOVE = `mutation($u: ID!) { removeStoreMember(userId: $u) { id } }`;
const CHANGE = `mutation($u: ID!, $r: MemberRole!) { changeStoreMemberRole(userId: $u, role: $r) { id members { userId role } } }`;
const LEAVE = `mutation($v: ID!) { leaveStore(vendorId: $v) }`;
const DECLINE = `mutation($id: ID!) { declineStoreInvitation(id: $id) }`;
const STORE_MEMBERS = `query($ids: [ID!]!) { storeMembers(vendorIds: $ids) { vendorId members { userId role } } }`;

type Inv = { id: string; role: string; invitedBy: string; expiresAt: string; vendor: { id: string } };

describe('vendors: store members and invitations', () => {
  let t: TestVendors;
  before(async () => {
    t = await startTestVendors();
  });
  after(() => t.stop());

  const invitations = async (who: Identity) =>
    (await t.ok<{ myStoreInvitations: Inv[] }>(MY_INVITATIONS, {}, { identity: who })).myStoreInvitations;
  const audit = (vendorId: string) =>
    t.sql<{ action: string; actor_id: string | null; changes: Record<string, unknown> }>(
      `SELECT action, actor_id, changes FROM vendor_audit WHERE vendor_id = $1 AND action LIKE 'member.%' ORDER BY id`,
      [vendorId],
    );

  it('invites by e-mail: the inviter gets the same answer whether or not the address has an account', async () => {
    const { vendor, owner } = await applyStore(t);
    const invitee = user('CUSTOMER');
    t.emails.set('ada@example.test', invitee.userId);
    const calls = t.identityCalls.length;
    const known = await t.call(INVITE, { email: '  Ada@Example.TEST ' }, { identity: owner });
    const unknown = await t.call(INVITE, { email: 'nobody@example.test' }, { identity: owner });
    assert.deepEqual(known.data, { inviteStoreMember: true });
    assert.equal(unknown.errors, undefined, JSON.stringify(unknown.errors));
    assert.deepEqual(unknown.data, known.data);
    assert.deepEqual(
      t.identityCalls.slice(calls).map((c) => [c.identity?.userId, c.emails]),
      [
        [owner.userId, ['ada@example.test']],
        [owner.userId, ['nobody@example.test']],
      ],
      'identity is asked with the normalised address, as the inviting owner',
    );
    const log = await audit(vendor.id);
    assert.deepEqual(
      log.map((e) => [e.action, e.changes]),
      [
        ['member.invited', { invitation: { from: null, to: 'STAFF' } }],
        ['member.invited', { invitation: { from: null, to: 'STAFF' } }],
      ],
      'the audit log does not tell the two apart either',
    );
    const mine = await invitations(invitee);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.vendor.id, vendor.id);
    assert.equal(mine[0]!.invitedBy, owner.userId);
    const bad = await t.call(INVITE, { email: 'not an address' }, { identity: owner });
    assert.deepEqual(codes(bad), ['BAD_USER_INPUT']);
    assert.equal(field(bad), 'email');
  });

  it('limits invitations per store and week, counting every invite so the limit tells nothing about who has an account', async () => {
    const { vendor, owner } = await applyStore(t);
    const invitee = user('CUSTOMER');
    t.emails.set(`limit-${invitee.userId}@example.test`, invitee.userId);
    // 49 invites to unknown addresses: no invitation row, but each one counts.
    for (let i = 0; i < 49; i++) await t.ok(INVITE, { email: `unknown-${i}@example.test` }, { identity: owner });
    assert.deepEqual(await t.sql(`SELECT id FROM store_invitation WHERE vendor_id = $1`, [vendor.id]), []);
    await t.ok(INVITE, { email: `limit-${invitee.userId}@example.test` }, { identity: owner });
    const known = await t.call(INVITE, { email: `limit-${invitee.userId}@example.test` }, { identity: owner });
    const unknown = await t.call(INVITE, { email: 'unknown-50@example.test' }, { identity: owner });
    assert.deepEqual([codes(known), codes(unknown)], [['RATE_LIMITED'], ['RATE_LIMITED']], 'the same answer either way');
    const retry = Number(known.errors![0]!.extensions!.retryAfterSeconds);
    assert.ok(retry > 6 * 86400 && retry <= 7 * 86400, `retry after the oldest invite leaves the week, got ${retry}`);
  });

  it('keeps one pending invitation per store and user: a repeat renews it', async () => {
    const { vendor, owner } = await applyStore(t);
    const invitee = user('CUSTOMER');
    t.emails.set(`again-${invitee.userId}@example.test`, invitee.userId);
    await t.ok(INVITE, { email: `again-${invitee.userId}@example.test` }, { identity: owner });
    await t.sql(`UPDATE store_invitation SET expires_at = now() + interval '1 hour' WHERE user_id = $1`, [invitee.userId]);
    await t.ok(INVITE, { email: `again-${invitee.userId}@example.test`, role: 'OWNER' }, { identity: owner });
    const rows = await t.sql<{ role: string; hours: number }>(
      `SELECT role, extract(epoch FROM expires_at - now()) / 3600 AS hours FROM store_invitation WHERE vendor_id = $1 AND user_id = $2`,
      [vendor.id, invitee.userId],
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.role, 'OWNER');
    assert.ok(Number(rows[0]!.hours) > 24 * 6.9, 'renewed for seven days');
    // The constraint itself, not an `if`, refuses a second row.
    await assert.rejects(
      t.sql(
        `INSERT INTO store_invitation (id, vendor_id, user_id, role, invited_by, expires_at) VALUES (gen_random_uuid(), $1, $2, 'STAFF', $3, now())`,
        [vendor.id, invitee.userId, owner.userId],
      ),
      /store_invitation_vendor_user_key/,
    );
  });

  it('accepts into the role, declines, and refuses expired and other people’s invitations', async () => {
    const { vendor, owner } = await applyStore(t);
    const [a, b, c] = [user('CUSTOMER'), user('CUSTOMER'), user('CUSTOMER')];
    for (const who of [a, b, c]) {
      t.emails.set(`${who.userId}@example.test`, who.userId);
      await t.ok(INVITE, { email: `${who.userId}@example.test` }, { identity: owner });
    }
    const [invA] = await invitations(a);
    assert.deepEqual(codes(await t.call(ACCEPT, { id: invA!.id }, { identity: b })), ['NOT_FOUND'], 'not theirs');
    assert.deepEqual(codes(await t.call(ACCEPT, { id: invA!.id })), ['UNAUTHENTICATED']);
    const joined = await t.ok<{ acceptStoreInvitation: { members: Array<{ userId: string; role: string }> } }>(
      ACCEPT,
      { id: invA!.id },
      { identity: a },
    );
    assert.deepEqual(joined.acceptStoreInvitation.members, [
      { userId: owner.userId, role: 'OWNER' },
      { userId: a.userId, role: 'STAFF' },
    ]);
    assert.deepEqual(await invitations(a), [], 'used up');
    assert.deepEqual(codes(await t.call(ACCEPT, { id: invA!.id }, { identity: a })), ['NOT_FOUND']);

    const [invB] = await invitations(b);
    assert.deepEqual(
      (await t.ok<{ declineStoreInvitation: boolean }>(DECLINE, { id: invB!.id }, { identity: b })).declineStoreInvitation,
      true,
    );
    assert.deepEqual(await invitations(b), []);

    await t.sql(`UPDATE store_invitation SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [c.userId]);
    assert.deepEqual(await invitations(c), [], 'expired invitations are not listed');
    const [expired] = await t.sql<{ id: string }>(`SELECT id FROM store_invitation WHERE user_id = $1`, [c.userId]);
    assert.deepEqual(codes(await t.call(ACCEPT, { id: expired!.id }, { identity: c })), ['NOT_FOUND']);

    const log = (await audit(vendor.id)).filter((e) => e.action !== 'member.invited');
    assert.deepEqual(
      log.map((e) => [e.action, e.actor_id, e.changes]),
      [['member.joined', a.userId, { [`members.${a.userId}.role`]: { from: null, to: 'STAFF' } }]],
    );
  });

  it('changes roles and removes members, never leaving a store without an OWNER', async () => {
    const { vendor, owner } = await applyStore(t);
    const staff = await addMember(t, owner, 'STAFF');
    const second = await addMember(t, owner, 'STAFF', user('CUSTOMER'));

    assert.deepEqual(codes(await t.call(CHANGE, { u: owner.userId, r: 'STAFF' }, { identity: owner })), ['CONFLICT'], 'last OWNER demoted');
    assert.deepEqual(codes(await t.call(REMOVE, { u: owner.userId }, { identity: owner })), ['CONFLICT'], 'last OWNER removed');
    assert.deepEqual(codes(await t.call(LEAVE, { v: vendor.id }, { identity: owner })), ['CONFLICT'], 'last OWNER leaves');
    assert.deepEqual(codes(await t.call(REMOVE, { u: user().userId }, { identity: owner })), ['NOT_FOUND']);

    // A second OWNER makes the first free to step down, then to leave.
    await t.ok(CHANGE, { u: second.userId, r: 'OWNER' }, { identity: owner });
    await t.ok(CHANGE, { u: owner.userId, r: 'STAFF' }, { identity: owner });
    assert.deepEqual(codes(await t.call(CHANGE, { u: staff.userId, r: 'OWNER' }, { identity: owner })), ['FORBIDDEN'], 'no longer OWNER');
    await t.ok(LEAVE, { v: vendor.id }, { identity: owner });
    await t.ok(REMOVE, { u: staff.userId }, { identity: second });
    const members = (await t.ok<{ vendor: { members: unknown[] } }>(MEMBERS, { slug: vendor.slug }, { identity: second })).vendor.members;
    assert.deepEqual(members, [{ userId: second.userId, role: 'OWNER' }]);

    const log = (await audit(vendor.id)).filter((e) => e.action !== 'member.invited' && e.action !== 'member.joined');
    assert.deepEqual(
      log.map((e) => [e.action, e.actor_id, e.changes]),
      [
        ['member.role-changed', owner.userId, { [`members.${second.userId}.role`]: { from: 'STAFF', to: 'OWNER' } }],
        ['member.role-changed', owner.userId, { [`members.${owner.userId}.role`]: { from: 'OWNER', to: 'STAFF' } }],
        ['member.left', owner.userId, { [`members.${owner.userId}.role`]: { from: 'STAFF', to: null } }],
        ['member.removed', second.userId, { [`members.${staff.userId}.role`]: { from: 'STAFF', to: null } }],
      ],
    );
  });

  it('refuses to make someone the owner of a second store (CONFLICT, from the unique index)', async () => {
    const a = await applyStore(t);
    const b = await applyStore(t);
    const member = await addMember(t, a.owner, 'STAFF', b.owner);
    assert.deepEqual(codes(await t.call(CHANGE, { u: member.userId, r: 'OWNER' }, { identity: a.owner })), ['CONFLICT']);
    t.emails.set('b-owner@example.test', b.owner.userId);
    const c = await applyStore(t);
    await t.ok(INVITE, { email: 'b-owner@example.test', role: 'OWNER' }, { identity: c.owner });
    const inv = (await invitations(b.owner)).find((i) => i.vendor.id === c.vendor.id)!;
    assert.deepEqual(codes(await t.call(ACCEPT, { id: inv.id }, { identity: b.owner })), ['CONFLICT']);
  });

  it('answers storeMembers for many stores in one SQL statement', async () => {
    const { vendor, owner } = await applyStore(t);
    const staff = await addMember(t, owner, 'STAFF');
    const ids = [vendor.id, 'not-a-uuid', ...SEED_STORE_IDS, '00000000-0000-0000-0000-000000000000', vendor.id];
    type R = { storeMembers: Array<{ vendorId: string; members: Array<{ userId: string; role: string }> }> };
    const one = await t.call<R>(STORE_MEMBERS, { ids: [vendor.id] });
    const many = await t.call<R>(STORE_MEMBERS, { ids });
    assert.equal(many.errors, undefined, JSON.stringify(many.errors));
    assert.deepEqual(
      many.data!.storeMembers.map((s) => s.vendorId),
      [vendor.id, ...SEED_STORE_IDS],
    );
    assert.deepEqual(many.data!.storeMembers[0]!.members, [
      { userId: owner.userId, role: 'OWNER' },
      { userId: staff.userId, role: 'STAFF' },
    ]);
    assert.equal(one.sqlStatements, 1);
    assert.equal(many.sqlStatements, 1, 'one statement whatever the number of stores');
    const tooMany = await t.call(STORE_MEMBERS, { ids: Array.from({ length: 101 }, () => vendor.id) });
    assert.deepEqual(codes(tooMany), ['BAD_USER_INPUT']);
  });
});
