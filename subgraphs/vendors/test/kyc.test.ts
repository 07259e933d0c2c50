import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { admin, applyStore, codes, customer, field, startTestVendors, vendorUser, type TestVendors } from './helpers';

const SUBMIT = `mutation($i: SubmitKycInput!) { submitKyc(input: $i) { id status documentType documentUrl submittedBy { id } reviewer { id } reviewNote reviewedAt vendor { id } } }`;
const REVIEW = `mutation($id: ID!, $status: KycStatus!, $note: String) { reviewKyc(id: $id, status: $status, note: $note) { id status reviewer { id } reviewNote reviewedAt } }`;
const DOC = { documentType: 'CAC_CERTIFICATE', documentUrl: 'https://docs.fashionistar.test/kyc/cac.pdf' };

interface Submission {
  id: string;
  status: string;
  reviewer: { id: string } | null;
  reviewNote: string | null;
  reviewedAt: string | null;
}

describe('vendors: KYC submissions and reviews', () => {
  let t: TestVendors;
  before(async () => {
    t = await startTestVendors();
  });
  after(() => t.stop());

  it('lets members send documents for their own store, PENDING, with the submitter recorded', async () => {
    const { vendor, owner } = await applyStore(t);
    assert.deepEqual(codes(await t.call(SUBMIT, { i: DOC })), ['UNAUTHENTICATED']);
    assert.deepEqual(codes(await t.call(SUBMIT, { i: DOC }, { identity: vendorUser() })), ['FORBIDDEN'], 'no store, no KYC');
    assert.deepEqual(codes(await t.call(SUBMIT, { i: DOC }, { identity: customer() })), ['FORBIDDEN']);
    for (const url of ['http://docs.example/cac.pdf', 'cac.pdf', '  ']) {
      const r = await t.call(SUBMIT, { i: { ...DOC, documentUrl: url } }, { identity: owner });
      assert.deepEqual(codes(r), ['BAD_USER_INPUT'], url);
      assert.equal(field(r), 'input.documentUrl');
    }
    const s = (await t.ok<{ submitKyc: Record<string, unknown> }>(SUBMIT, { i: DOC }, { identity: owner })).submitKyc;
    assert.deepEqual(
      { ...s, id: undefined },
      {
        id: undefined,
        status: 'PENDING',
        documentType: 'CAC_CERTIFICATE',
        documentUrl: DOC.documentUrl,
        submittedBy: { id: owner.userId },
        reviewer: null,
        reviewNote: null,
        reviewedAt: null,
        vendor: { id: vendor.id },
      },
    );
    const seen = async (who: Parameters<typeof t.call>[2]) =>
      (
        await t.ok<{ vendor: { kycSubmissions: Array<{ id: string }> } | null }>(
          `query($s: String!) { vendor(slug: $s) { kycSubmissions { id } } }`,
          { s: vendor.slug },
          who,
        )
      ).vendor;
    assert.deepEqual((await seen({ identity: owner }))!.kycSubmissions, [{ id: s.id }]);
    assert.deepEqual((await seen({ identity: admin() }))!.kycSubmissions, [{ id: s.id }]);
    const [row] = await t.sql<{ action: string; actor_id: string }>(
      `SELECT action, actor_id FROM vendor_audit WHERE vendor_id = $1 AND action = 'kyc.submitted'`,
      [vendor.id],
    );
    assert.deepEqual(row, { action: 'kyc.submitted', actor_id: owner.userId });
  });

  it('allows one live submission per document type, and a new one after RESUBMIT or REJECTED', async () => {
    const { owner } = await applyStore(t);
    const first = (await t.ok<{ submitKyc: Submission }>(SUBMIT, { i: DOC }, { identity: owner })).submitKyc;
    const dup = await t.call(SUBMIT, { i: DOC }, { identity: owner });
    assert.deepEqual(codes(dup), ['CONFLICT']);
    assert.equal(field(dup), 'documentType');
    // Concurrent duplicates of another type: the unique index lets exactly one in.
    const race = await Promise.all([1, 2, 3].map(() => t.call(SUBMIT, { i: { ...DOC, documentType: 'NIN' } }, { identity: owner })));
    assert.equal(race.filter((r) => !r.errors).length, 1);
    assert.deepEqual(race.flatMap(codes), ['CONFLICT', 'CONFLICT']);

    await t.ok(REVIEW, { id: first.id, status: 'RESUBMIT', note: 'The scan is blurred.' }, { identity: admin() });
    const second = (await t.ok<{ submitKyc: Submission }>(SUBMIT, { i: DOC }, { identity: owner })).submitKyc;
    await t.ok(REVIEW, { id: second.id, status: 'APPROVED' }, { identity: admin() });
    assert.deepEqual(codes(await t.call(SUBMIT, { i: DOC }, { identity: owner })), ['CONFLICT'], 'an approved document stays the live one');
  });

  it('lets admins only review open submissions, with a note for REJECTED and RESUBMIT', async () => {
    const { vendor, owner } = await applyStore(t);
    const s = (await t.ok<{ submitKyc: Submission }>(SUBMIT, { i: { ...DOC, documentType: 'UTILITY_BILL' } }, { identity: owner }))
      .submitKyc;
    assert.deepEqual(codes(await t.call(REVIEW, { id: s.id, status: 'APPROVED' })), ['UNAUTHENTICATED']);
    assert.deepEqual(codes(await t.call(REVIEW, { id: s.id, status: 'APPROVED' }, { identity: owner })), ['FORBIDDEN'], 'no self-review');
    for (const [vars, name] of [
      [{ status: 'REJECTED' }, 'note'],
      [{ status: 'RESUBMIT', note: '   ' }, 'note'],
      [{ status: 'PENDING' }, 'status'],
    ] as const) {
      const r = await t.call(REVIEW, { id: s.id, ...vars }, { identity: admin() });
      assert.deepEqual(codes(r), ['BAD_USER_INPUT'], JSON.stringify(vars));
      assert.equal(field(r), name);
    }
    assert.deepEqual(
      codes(await t.call(REVIEW, { id: '00000000-0000-0000-0000-000000000000', status: 'APPROVED' }, { identity: admin() })),
      ['NOT_FOUND'],
    );

    const reviewer = admin();
    const inReview = (await t.ok<{ reviewKyc: Submission }>(REVIEW, { id: s.id, status: 'IN_REVIEW' }, { identity: reviewer })).reviewKyc;
    assert.equal(inReview.status, 'IN_REVIEW');
    await t.ok(REVIEW, { id: s.id, status: 'IN_REVIEW' }, { identity: reviewer }); // a repeat records nothing
    const rejected = (
      await t.ok<{ reviewKyc: Submission }>(REVIEW, { id: s.id, status: 'REJECTED', note: 'Older than 3 months.' }, { identity: reviewer })
    ).reviewKyc;
    assert.deepEqual([rejected.status, rejected.reviewer?.id, rejected.reviewNote], ['REJECTED', reviewer.userId, 'Older than 3 months.']);
    assert.ok(rejected.reviewedAt);
    const again = await t.call(REVIEW, { id: s.id, status: 'APPROVED' }, { identity: admin() });
    assert.deepEqual(codes(again), ['CONFLICT'], 'a decided submission stays decided');

    const audit = await t.sql<{ action: string; actor_id: string; changes: Record<string, { from: unknown; to: unknown }> }>(
      `SELECT action, actor_id, changes FROM vendor_audit WHERE vendor_id = $1 AND action = 'kyc.reviewed' ORDER BY id`,
      [vendor.id],
    );
    assert.deepEqual(
      audit.map((a) => [a.actor_id, a.changes[`kycSubmissions.${s.id}.status`]]),
      [
        [reviewer.userId, { from: 'PENDING', to: 'IN_REVIEW' }],
        [reviewer.userId, { from: 'IN_REVIEW', to: 'REJECTED' }],
      ],
    );
    assert.deepEqual(audit[1]!.changes[`kycSubmissions.${s.id}.reviewNote`], { from: null, to: 'Older than 3 months.' });
    const events = await t.sql<{ payload: unknown }>(
      `SELECT payload FROM outbox_event WHERE type = 'vendors.kyc.reviewed' AND payload->>'submissionId' = $1 ORDER BY occurred_at`,
      [s.id],
    );
    assert.deepEqual(
      events.map((e) => e.payload),
      [
        { submissionId: s.id, vendorId: vendor.id, documentType: 'UTILITY_BILL', status: 'IN_REVIEW', previousStatus: 'PENDING' },
        { submissionId: s.id, vendorId: vendor.id, documentType: 'UTILITY_BILL', status: 'REJECTED', previousStatus: 'IN_REVIEW' },
      ],
    );
  });
});
