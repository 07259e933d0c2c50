import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Kind } from 'graphql';
import { loadTypeDefs, type Identity } from '@fashionistar/shared';
import { subgraph } from '../src/server';
import { AUDIT_ACTIONS, auditActionName } from '../src/services/audit.service';
import { INVITE, addMember, admin, applyStore, approve, customer, startTestVendors, type TestVendors } from './helpers';

/**
 * People as `User` references (members, KYC submitter and reviewer, audit actors), members'
 * contact details for the store's members and admins only, audit actions as an enum and audited
 * values as JSON.
 */

const MEMBERS = `query($slug: String!) { vendor(slug: $slug) { members { user { id } role email phone } } }`;
type Member = { user: { id: string }; role: string; email: string | null; phone: string | null };

describe('vendors: people as users, contact details, audit actions and values', () => {
  let t: TestVendors;
  before(async () => {
    t = await startTestVendors();
  });
  after(() => t.stop());

  /** A store with an OWNER and a STAFF member whose contact details the fake identity knows. */
  async function storeWithPeople() {
    const { vendor, owner } = await applyStore(t);
    await approve(t, vendor.id);
    const staff = await addMember(t, owner, 'STAFF');
    t.contacts.set(owner.userId, { email: `owner-${owner.userId}@example.test`, phone: '+2348031111111' });
    t.contacts.set(staff.userId, { email: `staff-${staff.userId}@example.test`, phone: null });
    return { vendor, owner, staff };
  }

  it('answers members as User references, with contact details for co-members and admins only', async () => {
    const { vendor, owner, staff } = await storeWithPeople();
    const view = async (as: Identity | undefined) =>
      (await t.ok<{ vendor: { members: Member[] } | null }>(MEMBERS, { slug: vendor.slug }, as ? { identity: as } : undefined)).vendor!
        .members;
    const full: Member[] = [
      { user: { id: owner.userId }, role: 'OWNER', email: `owner-${owner.userId}@example.test`, phone: '+2348031111111' },
      { user: { id: staff.userId }, role: 'STAFF', email: `staff-${staff.userId}@example.test`, phone: null },
    ];
    assert.deepEqual(await view(owner), full, 'the owner sees the staff member');
    assert.deepEqual(await view(staff), full, 'a STAFF member sees the owner');
    assert.deepEqual(await view(admin()), full, 'admins see everyone');
    const before = t.contactCalls.length;
    assert.deepEqual(await view(customer()), [], 'an outsider sees no members at all');
    assert.deepEqual(await view(undefined), [], 'nor does an anonymous caller');
    assert.equal(t.contactCalls.length, before, 'outsiders never cause a contact lookup');
    // The internal member list (router secret only) gives contact details to no one but members.
    const internal = async (as: Identity | undefined) =>
      (
        await t.ok<{ storeMembers: Array<{ members: Array<{ email: string | null }> }> }>(
          `query($ids: [ID!]!) { storeMembers(vendorIds: $ids) { members { email } } }`,
          { ids: [vendor.id] },
          as ? { identity: as } : undefined,
        )
      ).storeMembers[0]!.members.map((m) => m.email);
    assert.deepEqual(await internal(undefined), [null, null]);
    assert.deepEqual(await internal(customer()), [null, null]);
    assert.deepEqual(
      await internal(staff),
      full.map((m) => m.email),
    );
  });

  it('fetches the contact details of many stores in one identity call and one SQL statement per list', async () => {
    const stores = await Promise.all([1, 2, 3].map(() => storeWithPeople()));
    const reps = stores.map((s) => ({ __typename: 'Vendor', id: s.vendor.id }));
    const before = t.contactCalls.length;
    const r = await t.call<{ _entities: Array<{ members: Member[] }> }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Vendor { members { user { id } email phone } } } }`,
      { r: reps },
      { identity: admin() },
    );
    assert.equal(r.errors, undefined);
    assert.deepEqual(
      r.data!._entities.map((e) => e.members.map((m) => m.email)),
      stores.map((s) => [`owner-${s.owner.userId}@example.test`, `staff-${s.staff.userId}@example.test`]),
    );
    const calls = t.contactCalls.slice(before);
    assert.equal(calls.length, 1, 'one userContacts call for every member of every store');
    assert.equal(calls[0]!.ids.length, 6);
    assert.ok(r.sqlStatements <= 2, `stores and members in one statement each, got ${r.sqlStatements}`);
  });

  it('answers the inviter of an invitation as a User reference', async () => {
    const { owner } = await applyStore(t);
    const invitee = customer();
    t.emails.set(`inv-${invitee.userId}@example.test`, invitee.userId);
    await t.ok(INVITE, { email: `inv-${invitee.userId}@example.test`, role: 'STAFF' }, { identity: owner });
    const { myStoreInvitations } = await t.ok<{ myStoreInvitations: Array<{ inviter: { id: string }; invitedBy: string }> }>(
      `{ myStoreInvitations { inviter { id } invitedBy } }`,
      {},
      { identity: invitee },
    );
    assert.deepEqual(myStoreInvitations, [{ inviter: { id: owner.userId }, invitedBy: owner.userId }]);
  });

  it('answers the KYC submitter and reviewer and the audit actor as User references', async () => {
    const { vendor, owner } = await applyStore(t);
    const reviewer = admin();
    const { submitKyc } = await t.ok<{ submitKyc: { id: string; submittedBy: { id: string }; reviewer: null } }>(
      `mutation { submitKyc(input: { documentType: NIN, documentUrl: "https://docs.example/nin.pdf" }) { id submittedBy { id } reviewer { id } } }`,
      {},
      { identity: owner },
    );
    assert.deepEqual([submitKyc.submittedBy, submitKyc.reviewer], [{ id: owner.userId }, null]);
    const { reviewKyc } = await t.ok<{ reviewKyc: { reviewer: { id: string }; reviewerId: string } }>(
      `mutation($id: ID!) { reviewKyc(id: $id, status: IN_REVIEW) { reviewer { id } reviewerId } }`,
      { id: submitKyc.id },
      { identity: reviewer },
    );
    assert.deepEqual(reviewKyc, { reviewer: { id: reviewer.userId }, reviewerId: reviewer.userId }, 'the deprecated id stays');
    const log = (
      await t.ok<{ vendor: { auditLog: Array<{ action: string; actor: { id: string } | null; actorId: string | null }> } }>(
        `query($s: String!) { vendor(slug: $s) { auditLog { action actor { id } actorId } } }`,
        { s: vendor.slug },
        { identity: owner },
      )
    ).vendor.auditLog;
    assert.deepEqual(log, [
      { action: 'KYC_REVIEWED', actor: { id: reviewer.userId }, actorId: reviewer.userId },
      { action: 'KYC_SUBMITTED', actor: { id: owner.userId }, actorId: owner.userId },
      { action: 'VENDOR_APPLIED', actor: { id: owner.userId }, actorId: owner.userId },
    ]);
  });

  it('answers audited values as JSON values, and an action this version does not know as OTHER', async () => {
    const { vendor, owner } = await applyStore(t, { name: 'Json Values' });
    await t.ok(
      `mutation { updateMyStore(input: { businessHours: [{ day: TUE, opens: "10:00", closes: "16:00" }] }) { id } }`,
      {},
      { identity: owner },
    );
    // A row written by another version of the code: the list must still answer.
    await t.sql(`INSERT INTO vendor_audit (vendor_id, actor_id, action, changes) VALUES ($1, NULL, 'vendor.renamed-by-robot', '{}')`, [
      vendor.id,
    ]);
    const log = (
      await t.ok<{
        vendor: { auditLog: Array<{ action: string; actor: null; changes: Array<{ field: string; from: unknown; to: unknown }> }> };
      }>(
        `query($s: String!) { vendor(slug: $s) { auditLog(first: 2) { action actor { id } changes { field from to } } } }`,
        { s: vendor.slug },
        { identity: owner },
      )
    ).vendor.auditLog;
    assert.deepEqual(log, [
      { action: 'OTHER', actor: null, changes: [] },
      {
        action: 'VENDOR_UPDATED',
        actor: { id: owner.userId },
        changes: [{ field: 'businessHours', from: [], to: [{ day: 'TUE', opens: '10:00', closes: '16:00' }] }],
      },
    ]);
  });

  it('the SDL enum VendorAuditAction names exactly the actions the services write, plus OTHER', () => {
    const enumDef = loadTypeDefs(subgraph.definition.schemaDir).definitions.find(
      (d) => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === 'VendorAuditAction',
    );
    assert.ok(enumDef && enumDef.kind === Kind.ENUM_TYPE_DEFINITION);
    assert.deepEqual((enumDef.values ?? []).map((v) => v.name.value).sort(), [...AUDIT_ACTIONS.map(auditActionName), 'OTHER'].sort());
    assert.ok(
      (enumDef.values ?? []).every((v) => v.description?.value),
      'every value is described',
    );
  });
});
