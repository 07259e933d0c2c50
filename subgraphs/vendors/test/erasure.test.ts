import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@fashionistar/shared';
import { UserDeleted } from '@fashionistar/shared';

const USER_DELETED = UserDeleted.type;
import { admin, applyStore, approve, codes, startTestVendors, vendorUser, type TestVendors } from './helpers';

const deleted = (userId: string): EventEnvelope => ({
  id: randomUUID(),
  type: USER_DELETED,
  version: 1,
  occurredAt: new Date().toISOString(),
  source: 'identity',
  payload: { userId },
});

async function waitFor(check: () => Promise<boolean>, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('vendors: a deleted account (identity.user.deleted)', () => {
  let t: TestVendors;
  before(async () => {
    t = await startTestVendors({ SEED: 'false' });
  });
  after(() => t.stop());

  /** Delivers the event through the consumer's real queue and waits until it was applied. */
  const deliver = async (event: EventEnvelope) => {
    await t.infra.queues.add('event:vendors', event);
    await waitFor(
      async () =>
        (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM processed_event WHERE event_id = $1`, [event.id]))[0]!.n === 1,
    );
  };
  const store = async (id: string) =>
    (
      await t.sql<{ status: string; version: string; contact_email: string | null; contact_phone: string | null }>(
        `SELECT status, version, contact_email, contact_phone FROM vendor WHERE id = $1`,
        [id],
      )
    )[0]!;
  const statusEvents = (vendorId: string) =>
    t.sql<{ payload: { status: string; previousStatus: string; version: number } }>(
      `SELECT payload FROM outbox_event WHERE type = 'vendors.vendor.status-changed' AND payload->>'vendorId' = $1 ORDER BY occurred_at, payload->>'version'`,
      [vendorId],
    );

  it('closes a store the user owned alone: contact details, KYC documents and audit values erased, event with the next version', async () => {
    const { vendor, owner } = await applyStore(t, { contactEmail: 'owner.alone@example.com', contactPhone: '08031112233' });
    const kyc = await t.ok<{ submitKyc: { id: string } }>(
      `mutation($i: SubmitKycInput!) { submitKyc(input: $i) { id } }`,
      { i: { documentType: 'NIN', documentUrl: 'https://docs.example.com/nin-owner-alone.pdf' } },
      { identity: owner },
    );
    await approve(t, vendor.id);
    const staff = vendorUser();
    await t.sql(`INSERT INTO vendor_member (vendor_id, user_id, role) VALUES ($1, $2, 'STAFF')`, [vendor.id, staff.userId]);
    const before = await store(vendor.id);

    await deliver(deleted(owner.userId));
    const after = await store(vendor.id);
    assert.deepEqual(after, { status: 'CLOSED', version: String(Number(before.version) + 1), contact_email: null, contact_phone: null });
    const events = await statusEvents(vendor.id);
    assert.deepEqual(events.at(-1)!.payload, {
      vendorId: vendor.id,
      status: 'CLOSED',
      previousStatus: 'APPROVED',
      version: Number(after.version),
    });
    const members = await t.sql<{ user_id: string }>(`SELECT user_id FROM vendor_member WHERE vendor_id = $1`, [vendor.id]);
    assert.deepEqual(
      members.map((m) => m.user_id),
      [staff.userId],
      'the owner is gone; staff of a closed store stay (their own data)',
    );
    const [closed] = await t.sql<{ actor_id: string | null; changes: Record<string, unknown> }>(
      `SELECT actor_id, changes FROM vendor_audit WHERE vendor_id = $1 AND action = 'vendor.closed'`,
      [vendor.id],
    );
    assert.deepEqual(closed, {
      actor_id: null,
      changes: {
        status: { from: 'APPROVED', to: 'CLOSED' },
        contactEmail: { from: '(erased)', to: null },
        contactPhone: { from: '(erased)', to: null },
      },
    });
    const [leaks] = await t.sql<{ audit: number; kyc: number }>(
      `SELECT (SELECT count(*)::int FROM vendor_audit a WHERE a::text ILIKE '%owner.alone%' OR a::text LIKE '%8031112233%') AS audit,
              (SELECT count(*)::int FROM kyc_submission WHERE vendor_id = $1 AND document_url IS NOT NULL) AS kyc`,
      [vendor.id],
    );
    assert.deepEqual(leaks, { audit: 0, kyc: 0 });
    await assert.rejects(t.sql(`UPDATE vendor_audit SET changes = '{}' WHERE vendor_id = $1`, [vendor.id]), /append-only/);

    // Terminal: no admin operation, edit or KYC step moves a CLOSED store.
    const who = { identity: admin() };
    assert.deepEqual(codes(await t.call(`mutation($id: ID!) { approveVendor(id: $id) { id } }`, { id: vendor.id }, who)), ['CONFLICT']);
    assert.deepEqual(codes(await t.call(`mutation($id: ID!) { suspendVendor(id: $id, reason: "x") { id } }`, { id: vendor.id }, who)), [
      'CONFLICT',
    ]);
    // Store identity is the OWNER's alone (the member matrix): the remaining STAFF member is refused outright.
    assert.deepEqual(codes(await t.call(`mutation { updateMyStore(input: { name: "Reopened" }) { id } }`, {}, { identity: staff })), [
      'FORBIDDEN',
    ]);
    const review = await t.call(`mutation($id: ID!) { reviewKyc(id: $id, status: APPROVED) { id } }`, { id: kyc.submitKyc.id }, who);
    assert.deepEqual(codes(review), ['CONFLICT']);
    const resend = await t.call(
      `mutation($i: SubmitKycInput!) { submitKyc(input: $i) { id } }`,
      { i: { documentType: 'CAC_CERTIFICATE', documentUrl: 'https://docs.example.com/cac.pdf' } },
      { identity: staff },
    );
    // KYC is the OWNER's alone (the member matrix): the remaining STAFF member is refused before the store's status is read.
    assert.deepEqual(codes(resend), ['FORBIDDEN']);
    assert.equal((await store(vendor.id)).version, after.version, 'nothing changed');
  });

  it('removes the user from a store others still own, leaving the store as it was, and is a no-op when delivered again', async () => {
    const { vendor, owner } = await applyStore(t, { contactEmail: 'shared.shop@example.com' });
    await approve(t, vendor.id);
    const coOwner = vendorUser();
    await t.sql(`INSERT INTO vendor_member (vendor_id, user_id, role) VALUES ($1, $2, 'OWNER')`, [vendor.id, coOwner.userId]);
    // The deleted person is also STAFF elsewhere: that membership goes too.
    const { vendor: elsewhere } = await applyStore(t);
    await t.sql(`INSERT INTO vendor_member (vendor_id, user_id, role) VALUES ($1, $2, 'STAFF')`, [elsewhere.id, owner.userId]);
    const before = await store(vendor.id);
    const eventsBefore = (await statusEvents(vendor.id)).length;

    const event = deleted(owner.userId);
    await deliver(event);
    assert.deepEqual(await store(vendor.id), before, 'status, version and contact details unchanged');
    assert.equal((await statusEvents(vendor.id)).length, eventsBefore, 'no status event');
    const left = await t.sql<{ vendor_id: string; user_id: string }>(`SELECT vendor_id, user_id FROM vendor_member WHERE user_id = $1`, [
      owner.userId,
    ]);
    assert.deepEqual(left, []);
    assert.equal((await store(elsewhere.id)).status, 'PENDING');

    // The same envelope again (queue redelivery) and a second deletion event for the same user.
    const audits = async () => (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM vendor_audit`))[0]!.n;
    const auditsBefore = await audits();
    await t.infra.queues.add('event:vendors', { ...event }, { jobId: `again:${event.id}` });
    await deliver(deleted(owner.userId));
    assert.equal(await audits(), auditsBefore, 'nothing audited again');
    assert.deepEqual(await store(vendor.id), before);
  });

  it('closes a PENDING store and leaves a closed one alone on a second event', async () => {
    const { vendor, owner } = await applyStore(t);
    await deliver(deleted(owner.userId));
    const closed = await store(vendor.id);
    assert.equal(closed.status, 'CLOSED');
    const events = await statusEvents(vendor.id);
    assert.equal(events.at(-1)!.payload.previousStatus, 'PENDING');
    await deliver(deleted(owner.userId));
    assert.deepEqual(await store(vendor.id), closed);
    assert.equal((await statusEvents(vendor.id)).length, events.length);
  });
});

describe('vendors: invitations of a closed store', () => {
  let t: TestVendors;
  before(async () => {
    t = await startTestVendors({ SEED: 'false' });
  });
  after(() => t.stop());

  it('die with the store, so nobody inherits it, and those addressed to the deleted person go too', async () => {
    const { vendor, owner } = await applyStore(t);
    const heir = { userId: randomUUID(), roles: ['CUSTOMER' as const], sessionId: randomUUID() };
    t.emails.set('heir@example.test', heir.userId);
    t.emails.set('gone@example.test', owner.userId);
    await t.ok(`mutation { inviteStoreMember(email: "heir@example.test", role: OWNER) }`, {}, { identity: owner });
    const other = await applyStore(t);
    await t.ok(`mutation { inviteStoreMember(email: "gone@example.test") }`, {}, { identity: other.owner });
    const [inv] = await t.sql<{ id: string }>(`SELECT id FROM store_invitation WHERE vendor_id = $1`, [vendor.id]);
    const event = deleted(owner.userId);
    await t.infra.queues.add('event:vendors', event);
    await waitFor(
      async () =>
        (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM processed_event WHERE event_id = $1`, [event.id]))[0]!.n === 1,
    );
    assert.deepEqual(await t.sql(`SELECT id FROM store_invitation WHERE vendor_id = $1 OR user_id = $2`, [vendor.id, owner.userId]), []);
    const accept = await t.call(`mutation($id: ID!) { acceptStoreInvitation(id: $id) { id } }`, { id: inv!.id }, { identity: heir });
    assert.deepEqual(codes(accept), ['NOT_FOUND']);
    assert.deepEqual(await t.sql(`SELECT user_id FROM vendor_member WHERE vendor_id = $1`, [vendor.id]), []);
  });
});
