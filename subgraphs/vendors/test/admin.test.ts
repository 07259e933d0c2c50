import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { admin, applyStore, codes, customer, field, startTestVendors, type TestVendors } from './helpers';

const APPROVE = `mutation($id: ID!) { approveVendor(id: $id) { id status } }`;
const SUSPEND = `mutation($id: ID!, $reason: String!) { suspendVendor(id: $id, reason: $reason) { id status } }`;
const RATE = `mutation($id: ID!, $rate: Decimal) { setCommissionRate(id: $id, rate: $rate) { id commissionRate } }`;

interface AuditRow {
  action: string;
  actor_id: string | null;
  changes: Record<string, { from: unknown; to: unknown }>;
}

describe('vendors: approval, suspension, commission, audit trail and events', () => {
  let t: TestVendors;
  before(async () => {
    t = await startTestVendors();
  });
  after(() => t.stop());

  const audit = (vendorId: string) =>
    t.sql<AuditRow>(`SELECT action, actor_id, changes FROM vendor_audit WHERE vendor_id = $1 AND action <> 'vendor.applied' ORDER BY id`, [
      vendorId,
    ]);
  /** Status changes after the application, in the order of their version (the order they committed in). */
  const events = (vendorId: string) =>
    t.sql<{ type: string; payload: Record<string, unknown> }>(
      `SELECT type, payload FROM outbox_event
        WHERE type = 'vendors.vendor.status-changed' AND payload->>'vendorId' = $1 AND payload->>'previousStatus' IS NOT NULL
        ORDER BY (payload->>'version')::bigint, occurred_at`,
      [vendorId],
    );

  it('lets only admins approve and suspend (UNAUTHENTICATED anonymous, FORBIDDEN others)', async () => {
    const { vendor, owner } = await applyStore(t);
    for (const [q, vars] of [
      [APPROVE, { id: vendor.id }],
      [SUSPEND, { id: vendor.id, reason: 'x' }],
      [RATE, { id: vendor.id, rate: '0.1' }],
    ] as const) {
      assert.deepEqual(codes(await t.call(q, vars)), ['UNAUTHENTICATED']);
      assert.deepEqual(codes(await t.call(q, vars, { identity: owner })), ['FORBIDDEN'], 'no self-approval');
      assert.deepEqual(codes(await t.call(q, vars, { identity: customer() })), ['FORBIDDEN']);
    }
    const [row] = await t.sql<{ status: string; commission_rate: string | null }>(
      `SELECT status, commission_rate FROM vendor WHERE id = $1`,
      [vendor.id],
    );
    assert.deepEqual(row, { status: 'PENDING', commission_rate: null });
    assert.deepEqual(await audit(vendor.id), []);
    assert.deepEqual(codes(await t.call(APPROVE, { id: '00000000-0000-0000-0000-000000000000' }, { identity: admin() })), ['NOT_FOUND']);
    assert.deepEqual(codes(await t.call(APPROVE, { id: 'nope' }, { identity: admin() })), ['NOT_FOUND']);
  });

  it('approves, suspends and re-approves with an audit row per change (actor, changes) and status events', async () => {
    const { vendor } = await applyStore(t);
    const a1 = admin();
    const a2 = admin();
    assert.equal(
      (await t.ok<{ approveVendor: { status: string } }>(APPROVE, { id: vendor.id }, { identity: a1 })).approveVendor.status,
      'APPROVED',
    );
    // Approving again is a no-op: no new audit row, no new event.
    await t.ok(APPROVE, { id: vendor.id }, { identity: a1 });
    assert.deepEqual(codes(await t.call(SUSPEND, { id: vendor.id, reason: '  ' }, { identity: a2 })), ['BAD_USER_INPUT']);
    assert.equal(
      (await t.ok<{ suspendVendor: { status: string } }>(SUSPEND, { id: vendor.id, reason: 'Counterfeit goods' }, { identity: a2 }))
        .suspendVendor.status,
      'SUSPENDED',
    );
    await t.ok(APPROVE, { id: vendor.id }, { identity: a1 });

    const rows = await audit(vendor.id);
    assert.deepEqual(
      rows.map((r) => [r.action, r.actor_id]),
      [
        ['vendor.approved', a1.userId],
        ['vendor.suspended', a2.userId],
        ['vendor.approved', a1.userId],
      ],
    );
    assert.deepEqual(rows[0]!.changes.status, { from: 'PENDING', to: 'APPROVED' });
    assert.equal(rows[0]!.changes.approvedAt!.from, null);
    assert.deepEqual(rows[1]!.changes, {
      status: { from: 'APPROVED', to: 'SUSPENDED' },
      suspendedReason: { from: null, to: 'Counterfeit goods' },
    });
    assert.deepEqual(rows[2]!.changes.status, { from: 'SUSPENDED', to: 'APPROVED' });
    assert.deepEqual(rows[2]!.changes.suspendedReason, { from: 'Counterfeit goods', to: null });

    // The application was version 1; each change moves it on by one (the repeated approval did not).
    assert.deepEqual(await events(vendor.id), [
      {
        type: 'vendors.vendor.status-changed',
        payload: { vendorId: vendor.id, status: 'APPROVED', previousStatus: 'PENDING', version: 2 },
      },
      {
        type: 'vendors.vendor.status-changed',
        payload: { vendorId: vendor.id, status: 'SUSPENDED', previousStatus: 'APPROVED', version: 3 },
      },
      {
        type: 'vendors.vendor.status-changed',
        payload: { vendorId: vendor.id, status: 'APPROVED', previousStatus: 'SUSPENDED', version: 4 },
      },
    ]);
    assert.deepEqual(await t.sql(`SELECT version FROM vendor WHERE id = $1`, [vendor.id]), [{ version: '4' }]);
  });

  it('keeps the audit log append-only: the database refuses UPDATE and DELETE', async () => {
    const { vendor } = await applyStore(t);
    await assert.rejects(t.sql(`UPDATE vendor_audit SET action = 'tampered' WHERE vendor_id = $1`, [vendor.id]), /append-only/);
    await assert.rejects(t.sql(`DELETE FROM vendor_audit WHERE vendor_id = $1`, [vendor.id]), /append-only/);
    const rows = await t.sql<{ action: string }>(`SELECT action FROM vendor_audit WHERE vendor_id = $1`, [vendor.id]);
    assert.deepEqual(rows, [{ action: 'vendor.applied' }]);
  });

  it('serializes concurrent status changes so each event names the status it really left', async () => {
    const { vendor } = await applyStore(t);
    await Promise.all([
      t.ok(APPROVE, { id: vendor.id }, { identity: admin() }),
      t.ok(SUSPEND, { id: vendor.id, reason: 'Review' }, { identity: admin() }),
      t.ok(APPROVE, { id: vendor.id }, { identity: admin() }),
    ]);
    // Audit ids are taken while the row lock is held, so they give the real order of the changes.
    const chain = (await audit(vendor.id)).filter((r) => r.changes.status).map((r) => r.changes.status!);
    let status: unknown = 'PENDING';
    for (const c of chain) {
      assert.equal(c.from, status, 'each change starts from the status the previous one left');
      status = c.to;
    }
    const [row] = await t.sql<{ status: string }>(`SELECT status FROM vendor WHERE id = $1`, [vendor.id]);
    assert.equal(row!.status, status);
    const evs = (await events(vendor.id)).map((e) => `${e.payload.previousStatus}->${e.payload.status}`).sort();
    assert.deepEqual(evs, chain.map((c) => `${c.from}->${c.to}`).sort(), 'one event per status change, with the same from/to');
  });

  it('versions concurrent status changes in commit order: the highest version carries the final status', async () => {
    const { vendor } = await applyStore(t);
    await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        i % 2 === 0
          ? t.ok(APPROVE, { id: vendor.id }, { identity: admin() })
          : t.ok(SUSPEND, { id: vendor.id, reason: `Review ${i}` }, { identity: admin() }),
      ),
    );
    const all = await t.sql<{ payload: { status: string; previousStatus: string | null; version: number } }>(
      `SELECT payload FROM outbox_event WHERE type = 'vendors.vendor.status-changed' AND payload->>'vendorId' = $1`,
      [vendor.id],
    );
    const byVersion = all.map((e) => e.payload).sort((a, b) => a.version - b.version);
    assert.equal(byVersion[0]!.version, 1, 'the application is version 1');
    for (const [i, e] of byVersion.entries()) {
      if (i === 0) continue;
      assert.ok(e.version > byVersion[i - 1]!.version, 'strictly increasing: no two changes share a version');
      assert.equal(e.previousStatus, byVersion[i - 1]!.status, 'in version order each change starts where the previous one ended');
    }
    const [row] = await t.sql<{ status: string; version: string }>(`SELECT status, version FROM vendor WHERE id = $1`, [vendor.id]);
    assert.equal(byVersion.at(-1)!.status, row!.status, 'the highest version carries the final status');
    assert.ok(byVersion.at(-1)!.version <= Number(row!.version));
    // A new suspension reason is a change too (without a status event). Every change of this store
    // here is audited, so the version counts the audit entries: none skipped, none shared.
    const changes = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM vendor_audit WHERE vendor_id = $1`, [vendor.id]);
    assert.equal(Number(row!.version), changes[0]!.n);
  });

  it('sets, normalizes and clears the commission rate, refusing values outside 0..1 on `rate`', async () => {
    const { vendor } = await applyStore(t);
    const boss = admin();
    for (const bad of ['-0.1', '1.0001', '1.5', 'abc', '0.12345', '', '1e-2']) {
      const r = await t.call(RATE, { id: vendor.id, rate: bad }, { identity: boss });
      assert.deepEqual(codes(r), ['BAD_USER_INPUT'], bad);
      assert.equal(field(r), 'rate', bad);
    }
    const set = async (rate: string | null) =>
      (await t.ok<{ setCommissionRate: { commissionRate: string | null } }>(RATE, { id: vendor.id, rate }, { identity: boss }))
        .setCommissionRate.commissionRate;
    assert.equal(await set('0.15'), '0.1500');
    assert.equal(await set('0.1500'), '0.1500'); // same rate: no new audit row
    assert.equal(await set('1'), '1.0000');
    assert.equal(await set('0'), '0.0000');
    assert.equal(await set(null), null);
    const rows = (await audit(vendor.id)).map((r) => [r.action, r.changes.commissionRate]);
    assert.deepEqual(rows, [
      ['vendor.commission-changed', { from: null, to: '0.1500' }],
      ['vendor.commission-changed', { from: '0.1500', to: '1.0000' }],
      ['vendor.commission-changed', { from: '1.0000', to: '0.0000' }],
      ['vendor.commission-changed', { from: '0.0000', to: null }],
    ]);
    const evs = await t.sql<{ payload: unknown }>(
      `SELECT payload FROM outbox_event WHERE type = 'vendors.vendor.commission-changed' AND payload->>'vendorId' = $1 ORDER BY occurred_at`,
      [vendor.id],
    );
    assert.deepEqual(evs[0]!.payload, { vendorId: vendor.id, rate: '0.1500', previousRate: null, version: 2 });
    assert.equal(evs.length, 4);
  });
});
