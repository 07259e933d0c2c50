import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeSubgraph } from '@fashionistar/shared/testing';
import { randomUUID } from 'node:crypto';
import { ADD, REVIEW_FIELDS, addReview, codes, fields, identity, startTestReviews, type ReviewView, type TestReviews } from './helpers';

const UPDATE = `mutation($id: ID!, $i: UpdateReviewInput!) { updateReview(id: $id, input: $i) { ${REVIEW_FIELDS} } }`;
const DELETE = `mutation($id: ID!) { deleteReview(id: $id) }`;
const HIDE = `mutation($id: ID!, $reason: String!) { hideReview(id: $id, reason: $reason) { ${REVIEW_FIELDS} } }`;
const UNHIDE = `mutation($id: ID!) { unhideReview(id: $id) { ${REVIEW_FIELDS} } }`;
const GET = `query($id: ID!) { review(id: $id) { ${REVIEW_FIELDS} } }`;

describe('reviews: adding, changing, deleting and moderating', () => {
  let t: TestReviews;
  before(async () => {
    t = await startTestReviews();
  });
  after(() => t.stop());

  const rowsOf = async (productId: string) =>
    (await t.sql<{ id: string }>(`SELECT id FROM review WHERE product_id = $1`, [productId])).length;

  it('adds a customer review of a published product, asking the catalog as the caller', async () => {
    const productId = t.product();
    const me = identity('CUSTOMER');
    const r = await addReview(t, me, productId, 4, '  Lovely ankara, true to size.  ', ' Great buy ');
    assert.deepEqual(
      { ...r, id: undefined, createdAt: undefined, updatedAt: undefined },
      {
        id: undefined,
        createdAt: undefined,
        updatedAt: undefined,
        rating: 4,
        title: 'Great buy',
        body: 'Lovely ankara, true to size.',
        status: 'VISIBLE',
        verifiedPurchase: false,
        helpfulCount: 0,
        notHelpfulCount: 0,
        myVote: null,
        hiddenReason: null,
        product: { id: productId },
        author: { id: me.userId },
        reply: null,
      },
    );
    assert.equal(r.createdAt, r.updatedAt);
    const asked = t.calls.filter((c) => c.field === 'productOwners' && c.ids.includes(productId));
    assert.equal(asked.length, 1, 'one catalog call per request');
    assert.deepEqual(asked[0]!.identity, me, 'the caller identity is forwarded');
    assert.equal((await t.ok<{ review: ReviewView }>(GET, { id: r.id })).review.id, r.id);
  });

  it('lets only signed-in customers review', async () => {
    const productId = t.product();
    const input = { i: { productId, rating: 5, body: 'Nice' } };
    assert.deepEqual(codes(await t.call(ADD, input)), ['UNAUTHENTICATED']);
    for (const role of ['VENDOR', 'ADMIN', 'DELIVERY'] as const) {
      assert.deepEqual(codes(await t.call(ADD, input, identity(role))), ['FORBIDDEN'], role);
    }
    assert.equal(await rowsOf(productId), 0);
  });

  it("refuses reviews of one's own store: any member, OWNER or STAFF, whatever their roles", async () => {
    const vendorId = randomUUID();
    const productId = t.product('PUBLISHED', vendorId);
    const input = { i: { productId, rating: 5, body: 'Best shop in Lagos' } };
    for (const role of ['OWNER', 'STAFF']) {
      const member = identity('CUSTOMER', 'VENDOR');
      t.fixtures.members.set(`${vendorId}:${member.userId}`, role);
      const r = await t.call(ADD, input, member);
      assert.deepEqual(codes(r), ['FORBIDDEN'], role);
      const asked = t.calls.filter((c) => c.field === 'storeAccess' && c.identity?.userId === member.userId);
      assert.deepEqual(
        asked.map((c) => c.ids),
        [[vendorId]],
        'vendors is asked about the product store, as the caller',
      );
    }
    assert.equal(await rowsOf(productId), 0);
    // A member of another store is just a customer here.
    const elsewhere = identity('CUSTOMER', 'VENDOR');
    t.fixtures.members.set(`${randomUUID()}:${elsewhere.userId}`, 'OWNER');
    assert.equal((await t.call(ADD, input, elsewhere)).errors, undefined);
    assert.equal(await rowsOf(productId), 1);
  });

  it('names the field at fault for bad input and writes nothing', async () => {
    const published = t.product();
    const draft = t.product('DRAFT');
    const invisible = t.product('PUBLISHED', undefined, false);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ productId: published, rating: 0, body: 'ok' }, 'input.rating'],
      [{ productId: published, rating: 6, body: 'ok' }, 'input.rating'],
      [{ productId: published, rating: -3, body: 'ok' }, 'input.rating'],
      [{ productId: published, rating: 3, body: '   ' }, 'input.body'],
      [{ productId: published, rating: 3, body: 'x'.repeat(5001) }, 'input.body'],
      [{ productId: published, rating: 3, body: 'ok', title: 'x'.repeat(121) }, 'input.title'],
      [{ productId: draft, rating: 3, body: 'ok' }, 'input.productId'],
      // PUBLISHED, but hidden by an admin or in a suspended store: not on sale either.
      [{ productId: invisible, rating: 3, body: 'ok' }, 'input.productId'],
      [{ productId: randomUUID(), rating: 3, body: 'ok' }, 'input.productId'],
      [{ productId: 'not-a-uuid', rating: 3, body: 'ok' }, 'input.productId'],
    ];
    for (const [i, field] of cases) {
      const r = await t.call(ADD, { i }, identity('CUSTOMER'));
      assert.deepEqual([codes(r), fields(r)], [['BAD_USER_INPUT'], [field]], JSON.stringify(i).slice(0, 80));
    }
    assert.equal(await rowsOf(published), 0);
    assert.equal(await rowsOf(draft), 0);
    assert.equal(await rowsOf(invisible), 0);
    assert.ok(!t.calls.some((c) => c.ids.includes('not-a-uuid')), 'an id that cannot exist is not sent to the catalog');
  });

  it('refuses a second review of the same product by the same customer, even concurrently', async () => {
    const productId = t.product();
    const me = identity('CUSTOMER');
    await addReview(t, me, productId, 5);
    const again = await t.call(ADD, { i: { productId, rating: 1, body: 'Changed my mind' } }, me);
    assert.deepEqual([codes(again), fields(again)], [['CONFLICT'], ['input.productId']]);

    const other = t.product();
    const racer = identity('CUSTOMER');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => t.call(ADD, { i: { productId: other, rating: 1 + (i % 5), body: 'Race' } }, racer)),
    );
    assert.deepEqual(results.map((r) => codes(r)[0] ?? 'OK').sort(), ['CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'OK']);
    for (const p of [productId, other]) {
      assert.equal(await rowsOf(p), 1);
      const [agg] = await t.sql<{ count: number }>(`SELECT count FROM product_rating WHERE product_id = $1`, [p]);
      assert.equal(agg!.count, 1, 'nothing half-written: the aggregate counts the one review');
      const events = await t.sql(`SELECT id FROM outbox_event WHERE payload->>'productId' = $1`, [p]);
      assert.equal(events.length, 1, 'a refused review emits nothing');
    }
  });

  it('writes nothing when the catalog cannot be asked (a peer with another router secret)', async () => {
    const productId = t.product();
    const saved = t.peers.catalog!;
    const impostor = await startFakeSubgraph({
      name: 'catalog',
      typeDefs: 'type Query { productOwners(ids: [ID!]!): [ID!]! }',
      resolvers: { Query: { productOwners: () => [productId] } },
      routerSecret: 'another-secret',
      dataSource: t.server.dataSource,
    });
    t.peers.catalog = impostor.url;
    try {
      const r = await t.call(ADD, { i: { productId, rating: 4, body: 'Nice' } }, identity('CUSTOMER'));
      assert.deepEqual(codes(r), ['INTERNAL_SERVER_ERROR']);
      assert.equal(await rowsOf(productId), 0);
    } finally {
      t.peers.catalog = saved;
      await impostor.stop();
    }
    await addReview(t, identity('CUSTOMER'), productId, 4);
  });

  it('lets only the author change a review, with the same input rules', async () => {
    const me = identity('CUSTOMER');
    const r = await addReview(t, me, t.product(), 2, 'Too small', 'Meh');
    await new Promise((res) => setTimeout(res, 5));
    const d = await t.ok<{ updateReview: ReviewView }>(
      UPDATE,
      { id: r.id, i: { rating: 4, body: 'Exchanged for a bigger size: great.' } },
      me,
    );
    assert.deepEqual([d.updateReview.rating, d.updateReview.body, d.updateReview.title], [4, 'Exchanged for a bigger size: great.', 'Meh']);
    assert.ok(d.updateReview.updatedAt > r.updatedAt, 'updatedAt moves');
    assert.equal(d.updateReview.createdAt, r.createdAt);
    const blank = await t.call(UPDATE, { id: r.id, i: { title: '  ' } }, me);
    assert.deepEqual([codes(blank), fields(blank)], [['BAD_USER_INPUT'], ['input.title']], 'a blank title is a mistake: null removes it');
    const cleared = await t.ok<{ updateReview: ReviewView }>(UPDATE, { id: r.id, i: { title: null } }, me);
    assert.deepEqual([cleared.updateReview.title, cleared.updateReview.rating], [null, 4], 'null removes the title, the rest stays');
    const retitled = await t.ok<{ updateReview: ReviewView }>(UPDATE, { id: r.id, i: { title: ' Better ' } }, me);
    assert.equal(retitled.updateReview.title, 'Better');

    assert.deepEqual(codes(await t.call(UPDATE, { id: r.id, i: { rating: 1 } }, identity('CUSTOMER'))), ['FORBIDDEN']);
    assert.deepEqual(codes(await t.call(UPDATE, { id: r.id, i: { rating: 1 } }, identity('ADMIN'))), ['FORBIDDEN']);
    assert.deepEqual(codes(await t.call(UPDATE, { id: r.id, i: { rating: 1 } })), ['UNAUTHENTICATED']);
    assert.deepEqual(codes(await t.call(UPDATE, { id: randomUUID(), i: { rating: 1 } }, me)), ['NOT_FOUND']);
    assert.deepEqual(codes(await t.call(UPDATE, { id: 'nope', i: { rating: 1 } }, me)), ['NOT_FOUND']);
    for (const [i, field] of [
      [{ rating: 9 }, 'input.rating'],
      [{ rating: null }, 'input.rating'],
      [{ body: ' ' }, 'input.body'],
      [{ body: null }, 'input.body'],
      [{ title: 'x'.repeat(200) }, 'input.title'],
    ] as const) {
      const res = await t.call(UPDATE, { id: r.id, i }, me);
      assert.deepEqual([codes(res), fields(res)], [['BAD_USER_INPUT'], [field]], JSON.stringify(i).slice(0, 60));
    }
    const all = await t.call(UPDATE, { id: r.id, i: { rating: 0, body: null, title: '' } }, me);
    assert.deepEqual(
      (all.errors![0]!.extensions!.fields as Array<{ path: string }>).map((f) => f.path),
      ['input.rating', 'input.body', 'input.title'],
      'every problem at once',
    );
    const [row] = await t.sql<{ rating: number }>(`SELECT rating FROM review WHERE id = $1`, [r.id]);
    assert.equal(row!.rating, 4);
  });

  it('lets the author or an admin delete a review, votes included', async () => {
    const me = identity('CUSTOMER');
    const mine = await addReview(t, me, t.product(), 3);
    await t.ok(`mutation($id: ID!) { voteReview(id: $id, helpful: true) { id } }`, { id: mine.id }, identity('CUSTOMER'));
    assert.deepEqual(codes(await t.call(DELETE, { id: mine.id }, identity('CUSTOMER'))), ['FORBIDDEN']);
    assert.deepEqual(codes(await t.call(DELETE, { id: mine.id })), ['UNAUTHENTICATED']);
    assert.deepEqual(await t.ok(DELETE, { id: mine.id }, me), { deleteReview: true });
    assert.deepEqual(await t.sql(`SELECT 1 FROM review_vote WHERE review_id = $1`, [mine.id]), []);
    assert.deepEqual(codes(await t.call(DELETE, { id: mine.id }, me)), ['NOT_FOUND']);
    assert.equal((await t.ok<{ review: null }>(GET, { id: mine.id })).review, null);

    const theirs = await addReview(t, identity('CUSTOMER'), t.product(), 1);
    assert.deepEqual(await t.ok(DELETE, { id: theirs.id }, identity('ADMIN')), { deleteReview: true });
    assert.equal(await rowsOf(theirs.product.id), 0);
  });

  it('refuses the author deleting a review a moderator hid (it could be written again, visible); admins may', async () => {
    const author = identity('CUSTOMER');
    const admin = identity('ADMIN');
    const productId = t.product();
    const r = await addReview(t, author, productId, 1, 'Buy fakes at my stall instead');
    await t.ok(HIDE, { id: r.id, reason: 'Advertising' }, admin);

    const refused = await t.call(DELETE, { id: r.id }, author);
    assert.deepEqual(codes(refused), ['FORBIDDEN']);
    assert.equal(await rowsOf(productId), 1, 'the hidden review stays');
    const again = await t.call(ADD, { i: { productId, rating: 1, body: 'Buy fakes at my stall instead' } }, author);
    assert.deepEqual(codes(again), ['CONFLICT'], 'so the author cannot post it again, visible');
    assert.deepEqual(codes(await t.call(DELETE, { id: r.id }, identity('CUSTOMER'))), ['NOT_FOUND'], 'others do not see it at all');

    assert.deepEqual(await t.ok(DELETE, { id: r.id }, admin), { deleteReview: true });
    assert.equal(await rowsOf(productId), 0);
  });

  it('lets admins hide and unhide reviews; hidden ones leave public lists and reasons stay with admins', async () => {
    const author = identity('CUSTOMER');
    const admin = identity('ADMIN');
    const productId = t.product();
    const r = await addReview(t, author, productId, 1, 'Call 0803 for cheaper copies');
    await addReview(t, identity('CUSTOMER'), productId, 5);

    assert.deepEqual(codes(await t.call(HIDE, { id: r.id, reason: 'spam' }, author)), ['FORBIDDEN']);
    assert.deepEqual(codes(await t.call(HIDE, { id: r.id, reason: 'spam' })), ['UNAUTHENTICATED']);
    const bad = await t.call(HIDE, { id: r.id, reason: '  ' }, admin);
    assert.deepEqual([codes(bad), fields(bad)], [['BAD_USER_INPUT'], ['reason']]);
    assert.deepEqual(codes(await t.call(HIDE, { id: randomUUID(), reason: 'spam' }, admin)), ['NOT_FOUND']);

    const hidden = (await t.ok<{ hideReview: ReviewView }>(HIDE, { id: r.id, reason: 'Advertising' }, admin)).hideReview;
    assert.deepEqual([hidden.status, hidden.hiddenReason], ['HIDDEN', 'Advertising']);
    const [row] = await t.sql<{ hidden_by: string }>(`SELECT hidden_by FROM review WHERE id = $1`, [r.id]);
    assert.equal(row!.hidden_by, admin.userId);

    assert.equal((await t.ok<{ review: null }>(GET, { id: r.id })).review, null, 'anonymous');
    assert.equal((await t.ok<{ review: null }>(GET, { id: r.id }, identity('CUSTOMER'))).review, null, 'another customer');
    const own = (await t.ok<{ review: ReviewView }>(GET, { id: r.id }, author)).review;
    assert.deepEqual([own.status, own.hiddenReason], ['HIDDEN', null], 'the author sees the status, not the reason');
    assert.equal((await t.ok<{ review: ReviewView }>(GET, { id: r.id }, admin)).review.hiddenReason, 'Advertising');

    const LIST = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { reviews { totalCount edges { node { id status } } } } } }`;
    type List = { _entities: Array<{ reviews: { totalCount: number; edges: Array<{ node: { id: string; status: string } }> } }> };
    const rep = { r: [{ __typename: 'Product', id: productId }] };
    const pub = (await t.ok<List>(LIST, rep, author))._entities[0]!.reviews;
    assert.deepEqual([pub.totalCount, pub.edges.map((e) => e.node.status)], [1, ['VISIBLE']]);
    const mod = (await t.ok<List>(LIST, rep, admin))._entities[0]!.reviews;
    assert.deepEqual([mod.totalCount, mod.edges.some((e) => e.node.id === r.id)], [2, true]);

    const shown = (await t.ok<{ unhideReview: ReviewView }>(UNHIDE, { id: r.id }, admin)).unhideReview;
    assert.deepEqual([shown.status, shown.hiddenReason], ['VISIBLE', null]);
    assert.deepEqual(codes(await t.call(UNHIDE, { id: r.id }, author)), ['FORBIDDEN']);
    assert.equal((await t.ok<List>(LIST, rep))._entities[0]!.reviews.totalCount, 2);
  });
});
