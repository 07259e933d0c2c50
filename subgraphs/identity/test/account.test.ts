import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RecordingProvider } from '@fashionistar/shared';
import { eventually } from '@fashionistar/shared/testing';
import { seedUserId } from '../src/seed/seed';
import { PASSWORD, codes, loginAs, registerUser, startTestIdentity, type TestIdentity } from './helpers';

const ADDRESS = { fullName: 'Ada Obi', phone: '08031234567', line1: '12 Admiralty Way', city: 'Lekki', state: 'lagos' };
const ADD = `mutation($i: AddressInput!) { addAddress(input: $i) { id state country phone isDefault } }`;

describe('identity: profile, addresses, account deletion, outbox and entities', () => {
  let t: TestIdentity;
  const recorder = new RecordingProvider();
  before(async () => {
    t = await startTestIdentity({}, { sms: recorder });
  });
  after(() => t.stop());

  it('keeps an address book with one default, validated Nigerian states and ownership checks', async () => {
    const u = await registerUser(t);
    const first = (
      await t.ok<{ addAddress: { id: string; state: string; country: string; phone: string; isDefault: boolean } }>(
        ADD,
        { i: ADDRESS },
        { token: u.accessToken },
      )
    ).addAddress;
    assert.deepEqual(
      { ...first, id: undefined },
      { id: undefined, state: 'Lagos', country: 'NG', phone: '+2348031234567', isDefault: true },
    );
    const second = (
      await t.ok<{ addAddress: { id: string; isDefault: boolean } }>(
        ADD,
        { i: { ...ADDRESS, state: 'FCT', city: 'Abuja', isDefault: true } },
        { token: u.accessToken },
      )
    ).addAddress;
    assert.equal(second.isDefault, true);
    let book = (
      await t.ok<{ me: { addresses: Array<{ id: string; isDefault: boolean; state: string }> } }>(
        `{ me { addresses { id isDefault state } } }`,
        {},
        { token: u.accessToken },
      )
    ).me.addresses;
    assert.deepEqual(
      book.map((a) => [a.id, a.isDefault]),
      [
        [second.id, true],
        [first.id, false],
      ],
    );
    assert.equal(book[0]!.state, 'Federal Capital Territory');

    for (const [patch, field] of [
      [{ state: 'Atlantis' }, 'input.state'],
      [{ country: 'GH' }, 'input.country'],
      [{ phone: '123' }, 'input.phone'],
      [{ line1: ' ' }, 'input.line1'],
    ] as const) {
      const r = await t.call(ADD, { i: { ...ADDRESS, ...patch } }, { token: u.accessToken });
      assert.deepEqual(codes(r), ['BAD_USER_INPUT']);
      assert.equal(r.errors![0]!.extensions!.field, field);
    }
    const stranger = await registerUser(t);
    assert.deepEqual(
      codes(await t.call(`mutation($id: ID!) { removeAddress(id: $id) }`, { id: first.id }, { token: stranger.accessToken })),
      ['NOT_FOUND'],
    );
    assert.deepEqual(
      codes(
        await t.call(
          `mutation($id: ID!) { updateAddress(id: $id, input: { city: "Ikeja" }) { id } }`,
          { id: 'nope' },
          { token: u.accessToken },
        ),
      ),
      ['NOT_FOUND'],
    );
    assert.deepEqual(codes(await t.call(ADD, { i: ADDRESS })), ['UNAUTHENTICATED']);

    const updated = await t.ok<{ updateAddress: { city: string; isDefault: boolean } }>(
      `mutation($id: ID!) { updateAddress(id: $id, input: { city: "Ikeja", isDefault: true }) { city isDefault } }`,
      { id: first.id },
      { token: u.accessToken },
    );
    assert.deepEqual(updated.updateAddress, { city: 'Ikeja', isDefault: true });
    await t.ok(`mutation($id: ID!) { removeAddress(id: $id) }`, { id: first.id }, { token: u.accessToken });
    book = (
      await t.ok<{ me: { addresses: Array<{ id: string; isDefault: boolean; state: string }> } }>(
        `{ me { addresses { id isDefault state } } }`,
        {},
        { token: u.accessToken },
      )
    ).me.addresses;
    assert.deepEqual(
      book.map((a) => [a.id, a.isDefault]),
      [[second.id, true]],
      'removing the default moves it to the remaining address',
    );
  });

  it('keeps the default unique under concurrent adds', async () => {
    const u = await registerUser(t);
    await Promise.all(Array.from({ length: 5 }, () => t.ok(ADD, { i: { ...ADDRESS, isDefault: true } }, { token: u.accessToken })));
    const rows = await t.sql<{ n: string }>(`SELECT count(*) FILTER (WHERE is_default) AS n FROM address WHERE user_id = $1`, [u.user.id]);
    assert.equal(rows[0]!.n, '1');
  });

  it('updates the profile name and refuses empty names', async () => {
    const u = await registerUser(t);
    const d = await t.ok<{ updateProfile: { firstName: string; lastName: string } }>(
      `mutation { updateProfile(input: { firstName: " Chioma " }) { firstName lastName } }`,
      {},
      { token: u.accessToken },
    );
    assert.deepEqual(d.updateProfile, { firstName: 'Chioma', lastName: 'Obi' });
    assert.deepEqual(codes(await t.call(`mutation { updateProfile(input: { lastName: "  " }) { id } }`, {}, { token: u.accessToken })), [
      'BAD_USER_INPUT',
    ]);
  });

  it('deletes an account by anonymising it, ending its sessions and emitting an event', async () => {
    const u = await registerUser(t);
    await t.ok(ADD, { i: ADDRESS }, { token: u.accessToken });
    assert.deepEqual(codes(await t.call(`mutation { deleteAccount(password: "wrong-Passw0rd1") }`, {}, { token: u.accessToken })), [
      'BAD_USER_INPUT',
    ]);
    await t.ok(`mutation { deleteAccount(password: "Str0ng-Passw0rd") }`, {}, { token: u.accessToken });
    const [row] = await t.sql<{ email: string | null; phone: string | null; first_name: string; deleted_at: Date | null }>(
      `SELECT email, phone, first_name, deleted_at FROM app_user WHERE id = $1`,
      [u.user.id],
    );
    assert.equal(row!.email, null);
    assert.equal(row!.phone, null);
    assert.equal(row!.first_name, 'Deleted');
    assert.ok(row!.deleted_at);
    assert.deepEqual(await t.sql(`SELECT id FROM address WHERE user_id = $1`, [u.user.id]), []);
    assert.deepEqual(await t.sql(`SELECT id FROM credential WHERE user_id = $1`, [u.user.id]), []);
    const events = await t.sql<{ type: string; version: number }>(
      `SELECT type, version FROM outbox_event WHERE type = 'identity.user.deleted' AND payload->>'userId' = $1`,
      [u.user.id],
    );
    assert.deepEqual(events, [{ type: 'identity.user.deleted', version: 1 }]);
    assert.deepEqual(codes(await t.call(`mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }`, { t: u.refreshToken })), [
      'UNAUTHENTICATED',
    ]);
    assert.deepEqual(
      codes(
        await t.call(`mutation($i: LoginInput!) { login(input: $i) { accessToken } }`, {
          i: { email: u.email, password: 'Str0ng-Passw0rd' },
        }),
      ),
      ['UNAUTHENTICATED'],
    );
    // The e-mail is free again.
    await t.ok(`mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`, {
      i: { email: u.email, password: 'Str0ng-Passw0rd', firstName: 'A', lastName: 'B' },
    });
  });

  it('delivers SMS through the provider with the exact request, and relays every outbox event', async () => {
    const u = await registerUser(t);
    const sent = await eventually(async () => recorder.sms.find((m) => m.to === u.phone));
    assert.match(sent.body, /^Your Fashionistar code is \d{6}\. It expires in 10 minutes\. Never share it\.$/);
    const row = await eventually(
      async () =>
        (
          await t.sql<{ status: string; provider: string }>(
            `SELECT status, provider FROM outbound_message WHERE recipient = $1 AND status <> 'PENDING'`,
            [u.phone],
          )
        )[0],
    );
    assert.deepEqual(row, { status: 'SENT', provider: 'recording' });
    const mail = await eventually(
      async () =>
        (await t.sql<{ status: string }>(`SELECT status FROM outbound_message WHERE recipient = $1 AND status <> 'PENDING'`, [u.email]))[0],
    );
    assert.equal(mail.status, 'STORED', 'no e-mail provider: kept in the outbox');
    await eventually(async () => (await t.sql(`SELECT id FROM outbox_event WHERE relayed_at IS NULL`)).length === 0);
  });

  it('serves the message outbox to admins only', async () => {
    const u = await registerUser(t);
    const admin = await loginAs(t, 'admin@fashionistar.test');
    const q = `query($to: String) { sentMessages(to: $to, first: 5) { to channel template body status } }`;
    assert.deepEqual(codes(await t.call(q, { to: u.phone })), ['UNAUTHENTICATED']);
    assert.deepEqual(codes(await t.call(q, { to: u.phone }, { token: u.accessToken })), ['FORBIDDEN']);
    const list = (
      await t.ok<{ sentMessages: Array<{ to: string; channel: string; template: string }> }>(
        q,
        { to: u.phone },
        { token: admin.accessToken },
      )
    ).sentMessages;
    assert.deepEqual(
      list.map((m) => [m.to, m.channel, m.template]),
      [[u.phone, 'SMS', 'phone-otp']],
    );
  });

  it('resolves User entities for other subgraphs in one batch, hiding private fields from others', async () => {
    const ids = [1, 2, 3, 4, 5].map((i) => seedUserId(`customer${i}@fashionistar.test`));
    const reps = [...ids, '00000000-0000-0000-0000-000000000000', 'not-a-uuid'].map((id) => ({ __typename: 'User', id }));
    const q = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id firstName email addresses { id } } } }`;
    const anon = await t.call<{ _entities: Array<{ id: string; firstName: string; email: string | null } | null> }>(q, { r: reps });
    assert.equal(anon.errors, undefined);
    assert.deepEqual(
      anon.data!._entities.slice(0, 5).map((u) => u!.id),
      ids,
    );
    assert.ok(anon.data!._entities.slice(0, 5).every((u) => u!.email === null && u!.firstName.startsWith('Customer')));
    assert.deepEqual(anon.data!._entities.slice(5), [null, null]);

    const admin = await loginAs(t, 'admin@fashionistar.test', PASSWORD);
    const few = await t.call(q, { r: reps.slice(0, 2) }, { token: admin.accessToken });
    const many = await t.call<{ _entities: Array<{ email: string | null }> }>(q, { r: reps }, { token: admin.accessToken });
    assert.equal(many.data!._entities[0]!.email, 'customer1@fashionistar.test', 'admins see contact details');
    assert.ok(many.sqlStatements > 0 && many.sqlStatements <= 2, `users and addresses in one query each, got ${many.sqlStatements}`);
    assert.equal(many.sqlStatements, few.sqlStatements, 'the statement count does not grow with the number of users');
  });
});
