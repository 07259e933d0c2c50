import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { composeServices } from '@apollo/composition';
import { printSchema } from 'graphql';
import { loadTypeDefs } from '@fashionistar/shared';
import { codes, identityFromToken, registerUser, startTestIdentity, type TestIdentity } from './helpers';

const CONTACTS = `query($ids: [ID!]!) { userContacts(ids: $ids) { userId email phone } }`;
const GRANT = `mutation($u: ID!) { grantVendorRole(userId: $u) { userId roles granted } }`;

describe('identity: the internal userContacts lookup and grantVendorRole', () => {
  let t: TestIdentity;
  before(async () => {
    t = await startTestIdentity({ SEED: 'false' });
  });
  after(() => t.stop());

  it('answers contact details of live accounts, in input order, to signed-in callers, 100 at a time', async () => {
    const [a, b, gone] = [await registerUser(t), await registerUser(t), await registerUser(t)];
    await t.sql(`UPDATE app_user SET deleted_at = now() WHERE id = $1`, [gone.user.id]);
    const asker = identityFromToken(a.accessToken);
    const d = await t.ok<{ userContacts: unknown[] }>(
      CONTACTS,
      { ids: [b.user.id, gone.user.id, randomUUID(), 'not-a-uuid', a.user.id, b.user.id] },
      { identity: asker },
    );
    assert.deepEqual(d.userContacts, [
      { userId: b.user.id, email: b.email, phone: b.user.phone },
      { userId: a.user.id, email: a.email, phone: a.user.phone },
    ]);
    assert.deepEqual(codes(await t.call(CONTACTS, { ids: [a.user.id] })), ['UNAUTHENTICATED']);
    const tooMany = Array.from({ length: 101 }, () => randomUUID());
    assert.deepEqual(codes(await t.call(CONTACTS, { ids: tooMany }, { identity: asker })), ['BAD_USER_INPUT']);
  });

  it('adds VENDOR to the caller’s own account once, emits an event, and the next refresh carries it', async () => {
    const shopper = await registerUser(t, { role: 'CUSTOMER' });
    const me = identityFromToken(shopper.accessToken);
    assert.deepEqual(me.roles, ['CUSTOMER']);
    assert.deepEqual(codes(await t.call(GRANT, { u: me.userId })), ['UNAUTHENTICATED']);
    const other = await registerUser(t, { role: 'CUSTOMER' });
    assert.deepEqual(codes(await t.call(GRANT, { u: other.user.id }, { identity: me })), ['FORBIDDEN'], 'nobody else’s account');

    const [first, second] = await Promise.all([
      t.ok(GRANT, { u: me.userId }, { identity: me }),
      t.ok(GRANT, { u: me.userId }, { identity: me }),
    ]);
    const grants = [first, second].map((d) => (d as { grantVendorRole: { roles: string[]; granted: boolean } }).grantVendorRole);
    assert.deepEqual(grants.map((g) => g.granted).sort(), [false, true], 'two at once: one adds it, the other finds it');
    assert.ok(grants.every((g) => g.roles.join() === 'CUSTOMER,VENDOR'));
    const events = await t.sql<{ payload: unknown }>(`SELECT payload FROM outbox_event WHERE type = 'identity.user.role-granted'`);
    assert.deepEqual(
      events.map((e) => e.payload),
      [{ userId: me.userId, role: 'VENDOR', roles: ['CUSTOMER', 'VENDOR'] }],
    );
    const other2 = await t.sql<{ roles: string[] }>(`SELECT roles FROM app_user WHERE id = $1`, [other.user.id]);
    assert.deepEqual(other2[0]!.roles, ['CUSTOMER'], 'the refused call changed nothing');

    // The session stays signed in; the next refresh signs the new role into the access token.
    const r = await t.ok<{ refresh: { accessToken: string } }>(
      `mutation($r: String!) { refresh(refreshToken: $r) { accessToken } }`,
      { r: shopper.refreshToken },
      { identity: me },
    );
    assert.deepEqual(identityFromToken(r.refresh.accessToken).roles, ['CUSTOMER', 'VENDOR']);
  });

  it('stays out of the public API', () => {
    const result = composeServices([
      { name: 'identity', url: 'http://127.0.0.1:1/graphql', typeDefs: loadTypeDefs(join(__dirname, '../src/schema')) },
    ]);
    assert.equal(result.errors, undefined, result.errors?.map((e) => e.message).join('\n'));
    const api = printSchema(result.schema!.toAPISchema().toGraphQLJSSchema());
    assert.doesNotMatch(api, /userContacts|UserContact|grantVendorRole|RoleGrant/);
  });
});
