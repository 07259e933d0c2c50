/**
 * The input convention in identity (absent keeps, null clears where allowed, else BAD_USER_INPUT
 * on that path; every problem at once, paths relative to the arguments), the enum reasons of
 * sessions and sign-in attempts, and nigerianStates.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type EnumTypeDefinitionNode } from 'graphql';
import { NIGERIAN_STATES } from '@fashionistar/shared';
import { REVOKE_REASONS, revocationReasonOf } from '../src/services/session.service';
import { codes, registerUser, startTestIdentity, uniqueContact, type GqlResult, type TestIdentity } from './helpers';

const REGISTER = `mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`;
const ADD = `mutation($i: AddressInput!) { addAddress(input: $i) { id isDefault line2 postalCode } }`;
const UPDATE = `mutation($id: ID!, $i: UpdateAddressInput!) {
  updateAddress(id: $id, input: $i) { id fullName line2 postalCode city isDefault }
}`;
const PROFILE = `mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { firstName lastName } }`;
const ADDRESS = {
  fullName: 'Ada Obi',
  phone: '08031234567',
  line1: '1 Marina',
  line2: 'Flat 2',
  city: 'Lagos',
  state: 'lagos',
  postalCode: '100001',
};

/** The `extensions.fields` of a BAD_USER_INPUT answer, as [path, message] pairs. */
function problems(r: GqlResult): Array<[string, string]> {
  assert.deepEqual(codes(r), ['BAD_USER_INPUT'], JSON.stringify(r.errors));
  const fields = r.errors![0]!.extensions!.fields as Array<{ path: string; message: string }>;
  assert.equal(r.errors![0]!.extensions!.field, fields[0]!.path, 'field names the first problem');
  return fields.map((f) => [f.path, f.message]);
}
const paths = (r: GqlResult) => problems(r).map(([p]) => p);

describe('identity: inputs, reasons and reference lists', () => {
  let t: TestIdentity;
  before(async () => {
    t = await startTestIdentity({ LOGIN_FAILURE_LIMIT: '2' });
  });
  after(() => t.stop());

  it('register reports every problem at once, each on its path, and writes nothing', async () => {
    const r = await t.call(REGISTER, {
      i: { email: 'not-an-email', phone: '12', password: 'short', firstName: ' ', lastName: '', role: 'ADMIN' },
    });
    assert.deepEqual(paths(r), ['input.email', 'input.phone', 'input.password', 'input.firstName', 'input.lastName', 'input.role']);
    assert.equal(r.data, null);
    const none = await t.call(REGISTER, { i: { password: 'Str0ng-Passw0rd', firstName: 'A', lastName: 'B' } });
    assert.deepEqual(paths(none), ['input.email']);
  });

  it('addAddress reports every problem at once', async () => {
    const u = await registerUser(t);
    const r = await t.call(
      ADD,
      { i: { ...ADDRESS, fullName: '', phone: '1', state: 'Atlantis', country: 'GH', postalCode: 'x'.repeat(21) } },
      { token: u.accessToken },
    );
    assert.deepEqual(paths(r), ['input.country', 'input.fullName', 'input.phone', 'input.state', 'input.postalCode']);
  });

  it('updateAddress: absent keeps, null or blank clears line2 and postalCode, null elsewhere is refused on its path', async () => {
    const u = await registerUser(t);
    const as = { token: u.accessToken };
    const a = (await t.ok<{ addAddress: { id: string } }>(ADD, { i: ADDRESS }, as)).addAddress;
    const kept = await t.ok<{ updateAddress: Record<string, unknown> }>(UPDATE, { id: a.id, i: { city: 'Ikeja' } }, as);
    assert.deepEqual(kept.updateAddress, {
      id: a.id,
      fullName: 'Ada Obi',
      line2: 'Flat 2',
      postalCode: '100001',
      city: 'Ikeja',
      isDefault: true,
    });
    const cleared = await t.ok<{ updateAddress: Record<string, unknown> }>(UPDATE, { id: a.id, i: { line2: null, postalCode: '  ' } }, as);
    assert.deepEqual([cleared.updateAddress.line2, cleared.updateAddress.postalCode, cleared.updateAddress.city], [null, null, 'Ikeja']);

    const refused = await t.call(UPDATE, { id: a.id, i: { fullName: null, city: null, state: 'Atlantis', isDefault: null } }, as);
    assert.deepEqual(paths(refused), ['input.fullName', 'input.city', 'input.isDefault', 'input.state']);
    const [row] = await t.sql<{ full_name: string }>(`SELECT full_name FROM address WHERE id = $1`, [a.id]);
    assert.equal(row!.full_name, 'Ada Obi', 'nothing changed');
  });

  it('updateAddress(isDefault: false) on the default says what to do instead; on another address it changes nothing', async () => {
    const u = await registerUser(t);
    const as = { token: u.accessToken };
    const first = (await t.ok<{ addAddress: { id: string } }>(ADD, { i: ADDRESS }, as)).addAddress;
    const second = (await t.ok<{ addAddress: { id: string; isDefault: boolean } }>(ADD, { i: { ...ADDRESS, line1: '2 Broad St' } }, as))
      .addAddress;
    assert.equal(second.isDefault, false);
    const refused = problems(await t.call(UPDATE, { id: first.id, i: { isDefault: false } }, as));
    assert.equal(refused[0]![0], 'input.isDefault');
    assert.match(refused[0]![1], /make another address the default instead/);
    const noop = await t.ok<{ updateAddress: { isDefault: boolean } }>(UPDATE, { id: second.id, i: { isDefault: false } }, as);
    assert.equal(noop.updateAddress.isDefault, false);
    const moved = await t.ok<{ updateAddress: { isDefault: boolean } }>(UPDATE, { id: second.id, i: { isDefault: true } }, as);
    assert.equal(moved.updateAddress.isDefault, true);
    const book = await t.sql<{ id: string }>(`SELECT id FROM address WHERE user_id = $1 AND is_default`, [u.user.id]);
    assert.deepEqual(book, [{ id: second.id }]);
  });

  it('updateProfile: absent keeps, names cannot be removed (null or blank), every problem at once', async () => {
    const u = await registerUser(t);
    const as = { token: u.accessToken };
    const kept = await t.ok<{ updateProfile: { firstName: string; lastName: string } }>(PROFILE, { i: { lastName: ' Eze ' } }, as);
    assert.deepEqual(kept.updateProfile, { firstName: 'Ada', lastName: 'Eze' });
    assert.deepEqual(paths(await t.call(PROFILE, { i: { firstName: null, lastName: '  ' } }, as)), ['input.firstName', 'input.lastName']);
    assert.deepEqual(paths(await t.call(PROFILE, { i: { firstName: 'x'.repeat(101) } }, as)), ['input.firstName']);
  });

  it('resetPassword and requestPasswordReset name their paths under input', async () => {
    const reset = await t.call(`mutation($i: ResetPasswordInput!) { resetPassword(input: $i) }`, { i: { newPassword: 'short' } });
    assert.deepEqual(paths(reset), ['input.newPassword', 'input.token']);
    const noCode = await t.call(`mutation($i: ResetPasswordInput!) { resetPassword(input: $i) }`, {
      i: { phone: uniqueContact().phone, newPassword: 'Str0ng-Passw0rd' },
    });
    assert.deepEqual(paths(noCode), ['input.code']);
    const badLink = await t.call(`mutation($i: ResetPasswordInput!) { resetPassword(input: $i) }`, {
      i: { token: 'nope', newPassword: 'Str0ng-Passw0rd' },
    });
    assert.deepEqual(paths(badLink), ['input.token']);
    const request = await t.call(`mutation($i: RequestPasswordResetInput!) { requestPasswordReset(input: $i) }`, { i: { email: 'nope' } });
    assert.deepEqual(paths(request), ['input.email']);
  });

  it('changePassword and changeEmail (as changePhone) report a wrong password and a bad new value together', async () => {
    const u = await registerUser(t);
    const as = { token: u.accessToken };
    const pw = await t.call(`mutation { changePassword(currentPassword: "Wr0ng-password", newPassword: "short") }`, {}, as);
    assert.deepEqual(paths(pw), ['currentPassword', 'newPassword']);
    // The right password clears the failure count (this file allows 2 failures per account).
    const weakOnly = await t.call(`mutation { changePassword(currentPassword: "Str0ng-Passw0rd", newPassword: "short") }`, {}, as);
    assert.deepEqual(paths(weakOnly), ['newPassword']);
    const email = await t.call(`mutation { changeEmail(newEmail: "nope", password: "Wr0ng-password") }`, {}, as);
    assert.deepEqual(paths(email), ['newEmail', 'password']);
  });

  it('myLoginEvents answers reasons as enum values (unknown stored ones as OTHER) and checks its page size', async () => {
    const u = await registerUser(t);
    const login = (password: string) =>
      t.call(`mutation($i: LoginInput!) { login(input: $i) { accessToken } }`, { i: { email: u.email, password } });
    await login('Wr0ng-password');
    await login('Wr0ng-password');
    await login('Wr0ng-password'); // past LOGIN_FAILURE_LIMIT: blocked
    await t.sql(`INSERT INTO login_event (user_id, identifier, outcome, reason) VALUES ($1, 'x', 'FAILURE', 'some_future_reason')`, [
      u.user.id,
    ]);
    const events = await t.ok<{ myLoginEvents: Array<{ outcome: string; reason: string | null }> }>(
      `{ myLoginEvents(first: 10) { outcome reason } }`,
      {},
      { token: u.accessToken },
    );
    assert.deepEqual(
      events.myLoginEvents.map((e) => [e.outcome, e.reason]),
      [
        ['FAILURE', 'OTHER'],
        ['BLOCKED', 'RATE_LIMITED'],
        ['FAILURE', 'WRONG_PASSWORD'],
        ['FAILURE', 'WRONG_PASSWORD'],
        ['SUCCESS', 'REGISTERED'],
      ],
    );
    const tooMany = await t.call(`{ myLoginEvents(first: 101) { outcome } }`, {}, { token: u.accessToken });
    assert.deepEqual([codes(tooMany), tooMany.errors![0]!.extensions!.field], [['BAD_USER_INPUT'], 'first']);
  });

  it('SessionRevocationReason lists exactly the reasons sessions are ended for, plus OTHER for unknown ones', () => {
    const sdl = parse(readFileSync(join(__dirname, '../src/schema/session.graphql'), 'utf8'));
    const e = sdl.definitions.find(
      (d): d is EnumTypeDefinitionNode => d.kind === 'EnumTypeDefinition' && d.name.value === 'SessionRevocationReason',
    )!;
    assert.deepEqual(
      e.values!.map((v) => v.name.value),
      [...REVOKE_REASONS, 'OTHER'],
    );
    assert.ok(e.values!.every((v) => v.description?.value));
    assert.equal(revocationReasonOf('LOGOUT'), 'LOGOUT');
    assert.equal(revocationReasonOf('SOMETHING_NEW'), 'OTHER');
  });

  it('nigerianStates: public, the 37 names addresses store, each accepted as is', async () => {
    const d = await t.ok<{ nigerianStates: string[] }>(`{ nigerianStates }`);
    assert.deepEqual(d.nigerianStates, [...NIGERIAN_STATES]);
    assert.equal(d.nigerianStates.length, 37);
    const u = await registerUser(t);
    const added = await t.ok<{ addAddress: { id: string } }>(
      ADD,
      { i: { ...ADDRESS, state: d.nigerianStates.at(-1) } },
      { token: u.accessToken },
    );
    const [row] = await t.sql<{ state: string }>(`SELECT state FROM address WHERE id = $1`, [added.addAddress.id]);
    assert.equal(row!.state, 'Federal Capital Territory');
  });
});
