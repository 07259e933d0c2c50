import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { REVIEW_FIELDS, addReview, codes, fields, identity, startTestReviews, type ReviewView, type TestReviews } from './helpers';

const VOTE = `mutation($id: ID!, $h: Boolean!) { voteReview(id: $id, helpful: $h) { ${REVIEW_FIELDS} } }`;
const REPLY = `mutation($id: ID!, $b: String!) { replyToReview(id: $id, body: $b) { ${REVIEW_FIELDS} } }`;
const GET = `query($id: ID!) { review(id: $id) { ${REVIEW_FIELDS} } }`;

describe('reviews: helpful votes and store replies', () => {
  let t: TestReviews;
  before(async () => {
    t = await startTestReviews();
  });
  after(() => t.stop());

  const vote = async (id: string, helpful: boolean, as: ReturnType<typeof identity>) =>
    (await t.ok<{ voteReview: ReviewView }>(VOTE, { id, h: helpful }, as)).voteReview;
  const votes = (r: ReviewView) => [r.helpfulCount, r.notHelpfulCount, r.myVote];

  it('keeps one vote per user; changing it moves the counts', async () => {
    const author = identity('CUSTOMER');
    const r = await addReview(t, author, t.product(), 4);
    const [u1, u2] = [identity('CUSTOMER'), identity('VENDOR')];
    assert.deepEqual(votes(await vote(r.id, true, u1)), [1, 0, true]);
    assert.deepEqual(votes(await vote(r.id, true, u1)), [1, 0, true], 'the same vote again changes nothing');
    assert.deepEqual(votes(await vote(r.id, false, u1)), [0, 1, false], 'a changed vote moves from one side to the other');
    assert.deepEqual(votes(await vote(r.id, false, u2)), [0, 2, false]);
    assert.deepEqual(votes(await vote(r.id, true, u2)), [1, 1, true]);
    const seen = (as?: ReturnType<typeof identity>) => t.ok<{ review: ReviewView }>(GET, { id: r.id }, as).then((d) => votes(d.review));
    assert.deepEqual(await seen(u1), [1, 1, false]);
    assert.deepEqual(await seen(identity('CUSTOMER')), [1, 1, null], 'no vote yet');
    assert.deepEqual(await seen(), [1, 1, null], 'anonymous');
    const rows = await t.sql<{ user_id: string; helpful: boolean }>(
      `SELECT user_id, helpful FROM review_vote WHERE review_id = $1 ORDER BY helpful`,
      [r.id],
    );
    assert.deepEqual(
      rows.map((v) => [v.user_id, v.helpful]),
      [
        [u1.userId, false],
        [u2.userId, true],
      ],
    );
  });

  it('counts concurrent votes exactly, including one user flipping at once', async () => {
    const r = await addReview(t, identity('CUSTOMER'), t.product(), 5);
    const flipper = identity('CUSTOMER');
    await Promise.all([
      ...Array.from({ length: 10 }, () => vote(r.id, true, identity('CUSTOMER'))),
      ...Array.from({ length: 6 }, (_, i) => vote(r.id, i % 2 === 0, flipper)),
    ]);
    const [row] = await t.sql<{ helpful_count: number; not_helpful_count: number; yes: number; no: number }>(
      `SELECT helpful_count, not_helpful_count,
              (SELECT count(*)::int FROM review_vote WHERE review_id = $1 AND helpful) AS yes,
              (SELECT count(*)::int FROM review_vote WHERE review_id = $1 AND NOT helpful) AS no
         FROM review WHERE id = $1`,
      [r.id],
    );
    assert.deepEqual([row!.helpful_count, row!.not_helpful_count], [row!.yes, row!.no], 'counts equal the votes');
    assert.equal(row!.yes + row!.no, 11);
  });

  it("refuses votes on one's own, unknown or hidden reviews and from anonymous callers", async () => {
    const author = identity('CUSTOMER');
    const r = await addReview(t, author, t.product(), 3);
    assert.deepEqual(codes(await t.call(VOTE, { id: r.id, h: true }, author)), ['FORBIDDEN']);
    assert.deepEqual(codes(await t.call(VOTE, { id: r.id, h: true })), ['UNAUTHENTICATED']);
    assert.deepEqual(codes(await t.call(VOTE, { id: randomUUID(), h: true }, identity('CUSTOMER'))), ['NOT_FOUND']);
    await t.ok(`mutation($id: ID!) { hideReview(id: $id, reason: "x") { id } }`, { id: r.id }, identity('ADMIN'));
    assert.deepEqual(codes(await t.call(VOTE, { id: r.id, h: true }, identity('CUSTOMER'))), ['NOT_FOUND']);
    assert.deepEqual(await t.sql(`SELECT 1 FROM review_vote WHERE review_id = $1`, [r.id]), []);
  });

  it("lets members of the selling store reply, asking vendors with the caller's identity", async () => {
    const vendorId = randomUUID();
    const productId = t.product('PUBLISHED', vendorId);
    const otherStore = randomUUID();
    t.product('PUBLISHED', otherStore);
    const owner = identity('VENDOR');
    const staff = identity('VENDOR');
    const outsider = identity('VENDOR');
    const rival = identity('VENDOR');
    t.fixtures.members.set(`${vendorId}:${owner.userId}`, 'OWNER');
    t.fixtures.members.set(`${vendorId}:${staff.userId}`, 'STAFF');
    t.fixtures.members.set(`${otherStore}:${rival.userId}`, 'OWNER');
    const r = await addReview(t, identity('CUSTOMER'), productId, 2);

    const before = t.calls.length;
    assert.deepEqual(codes(await t.call(REPLY, { id: r.id, b: 'Sorry!' }, outsider)), ['FORBIDDEN']);
    const asked = t.calls.slice(before);
    assert.deepEqual(
      asked.map((c) => [c.field, c.ids, c.identity?.userId]),
      [
        ['productOwners', [productId], outsider.userId],
        ['storeAccess', [vendorId], outsider.userId],
      ],
      'who sells it, then whether the caller is a member, both as the caller',
    );
    assert.deepEqual(asked[1]!.identity, outsider);
    assert.deepEqual(codes(await t.call(REPLY, { id: r.id, b: 'Sorry!' }, rival)), ['FORBIDDEN'], 'a member of another store');
    assert.deepEqual(codes(await t.call(REPLY, { id: r.id, b: 'Sorry!' }, identity('CUSTOMER'))), ['FORBIDDEN']);
    assert.deepEqual(codes(await t.call(REPLY, { id: r.id, b: 'Sorry!' })), ['UNAUTHENTICATED']);
    const empty = await t.call(REPLY, { id: r.id, b: '  ' }, owner);
    assert.deepEqual([codes(empty), fields(empty)], [['BAD_USER_INPUT'], ['body']]);
    assert.deepEqual(codes(await t.call(REPLY, { id: randomUUID(), b: 'Hi' }, owner)), ['NOT_FOUND']);
    assert.equal((await t.sql<{ reply_body: null }>(`SELECT reply_body FROM review WHERE id = $1`, [r.id]))[0]!.reply_body, null);

    const replied = (await t.ok<{ replyToReview: ReviewView }>(REPLY, { id: r.id, b: ' We have sent a replacement. ' }, staff))
      .replyToReview;
    assert.equal(replied.reply!.body, 'We have sent a replacement.');
    assert.ok(Date.parse(replied.reply!.createdAt) >= Date.parse(r.createdAt));
    const [row] = await t.sql<{ reply_author_id: string }>(`SELECT reply_author_id FROM review WHERE id = $1`, [r.id]);
    assert.equal(row!.reply_author_id, staff.userId);
    const again = (await t.ok<{ replyToReview: ReviewView }>(REPLY, { id: r.id, b: 'Replacement delivered.' }, owner)).replyToReview;
    assert.equal(again.reply!.body, 'Replacement delivered.', 'a reply can be rewritten');

    // Membership is asked at write time: a removed member is refused at once.
    t.fixtures.members.delete(`${vendorId}:${staff.userId}`);
    assert.deepEqual(codes(await t.call(REPLY, { id: r.id, b: 'Me again' }, staff)), ['FORBIDDEN']);

    const mark = t.calls.length;
    const byAdmin = (await t.ok<{ replyToReview: ReviewView }>(REPLY, { id: r.id, b: 'Moderator note.' }, identity('ADMIN'))).replyToReview;
    assert.equal(byAdmin.reply!.body, 'Moderator note.');
    assert.equal(t.calls.length, mark, 'an admin needs no store membership');
  });
});
