import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { printSchema } from 'graphql';
import { loadTypeDefs } from '@fashionistar/shared';
import { codes, identityFromToken, registerUser, startTestIdentity, type TestIdentity } from './helpers';

const LOOKUP = `query($e: [String!]!) { userIdsByEmail(emails: $e) { email userId } }`;

describe('identity: the internal userIdsByEmail lookup', () => {
  let t: TestIdentity;
  before(async () => {
    t = await startTestIdentity({ SEED: 'false' });
  });
  after(() => t.stop());

  it('answers verified, live accounts only, to signed-in callers, a few addresses at a time', async () => {
    const verified = await registerUser(t);
    const unverified = await registerUser(t);
    const deleted = await registerUser(t);
    await t.sql(`UPDATE app_user SET email_verified_at = now() WHERE id = ANY($1)`, [[verified.user.id, deleted.user.id]]);
    await t.sql(`UPDATE app_user SET deleted_at = now() WHERE id = $1`, [deleted.user.id]);
    const asker = identityFromToken(verified.accessToken);
    const emails = [` ${verified.email.toUpperCase()} `, unverified.email, deleted.email, 'nobody@example.com'];

    const d = await t.ok<{ userIdsByEmail: unknown[] }>(LOOKUP, { e: emails }, { identity: asker });
    assert.deepEqual(d.userIdsByEmail, [{ email: verified.email, userId: verified.user.id }]);

    assert.deepEqual(codes(await t.call(LOOKUP, { e: [verified.email] })), ['UNAUTHENTICATED'], 'anonymous callers get nothing');
    const tooMany = Array.from({ length: 21 }, (_, i) => `a${i}@example.com`);
    assert.deepEqual(codes(await t.call(LOOKUP, { e: tooMany }, { identity: asker })), ['BAD_USER_INPUT']);
  });

  it('stays out of the public API', () => {
    const result = composeServices([
      { name: 'identity', url: 'http://127.0.0.1:1/graphql', typeDefs: loadTypeDefs(join(__dirname, '../src/schema')) },
    ]);
    assert.equal(result.errors, undefined, result.errors?.map((e) => e.message).join('\n'));
    const api = printSchema(result.schema!.toAPISchema().toGraphQLJSSchema());
    assert.doesNotMatch(api, /userIdsByEmail|EmailMatch/);
  });
});
