/**
 * The README's example client (tests/client-example) against the real supergraph: typed
 * documents, one refresh on TOKEN_EXPIRED shared by concurrent requests (a second use of the
 * refresh token would end the session), sign-out, and the reasons it reads.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { SEED_PASSWORD } from '@fashionistar/shared';
import { identityFromToken } from '@fashionistar/shared/testing';
import { ApiError, createClient } from '../client-example/client';
import { StorefrontPage } from '../client-example/operations';
import { startStack, type Stack } from '../src/stack';

describe('the example client of the README', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({}, {}, { SEED_SCALE: '40' });
  });
  after(() => s.stop());

  /** The same access token, already expired (signed with identity's current key). */
  const expired = (accessToken: string) => {
    const key = s.identity.deps.keys.current;
    const who = identityFromToken(accessToken);
    return jwt.sign({ roles: who.roles, sid: who.sessionId, exp: Math.floor(Date.now() / 1000) - 10 }, key.privateKey, {
      algorithm: 'ES256',
      keyid: key.kid,
      subject: who.userId,
      issuer: 'fashionistar-identity',
      audience: 'fashionistar',
    });
  };

  it('serves anonymous visitors the public page with me: null', async () => {
    const client = createClient({ url: s.router.url, refreshTokenIn: 'body' });
    const page = await client.request(StorefrontPage, { first: 3 });
    assert.equal(page.me, null);
    assert.equal(page.products.edges.length, 3);
    // The error sits on `me` alone, with the reason a client shows its sign-in link for.
    const raw = await s.gql(StorefrontPage, { first: 3 });
    assert.deepEqual(
      raw.errors?.map((e) => [e.extensions?.code, e.extensions?.reason]),
      [['UNAUTHENTICATED', 'SIGN_IN_REQUIRED']],
    );
  });

  it('signs in, refreshes once for concurrent requests on an expired token, and signs out', async () => {
    const client = createClient({ url: s.router.url, refreshTokenIn: 'body', clientName: 'e2e-example' });
    const user = await client.signIn('customer5@fashionistar.test', SEED_PASSWORD);
    const page = await client.request(StorefrontPage, { first: 2 });
    assert.equal(page.me?.id, user.id);

    // An app restoring an old session: its access token expired. Five requests at once share one
    // refresh; a second use of the refresh token would have ended the session (grace is off here).
    const { accessToken, refreshToken } = client.tokens;
    client.restore({ accessToken: expired(accessToken!), refreshToken });
    const pages = await Promise.all(Array.from({ length: 5 }, () => client.request(StorefrontPage, { first: 1 })));
    assert.ok(pages.every((p) => p.me?.id === user.id));
    assert.notEqual(client.tokens.refreshToken, refreshToken, 'rotated once');
    assert.equal((await client.request(StorefrontPage, { first: 1 })).me?.id, user.id, 'the session is alive');

    const old = client.tokens;
    await client.signOut();
    assert.deepEqual(client.tokens, { accessToken: null, refreshToken: null });
    client.restore(old);
    await assert.rejects(
      client.request(StorefrontPage, { first: 1 }),
      (e: ApiError) => e.code === 'UNAUTHENTICATED' && e.reason === 'SESSION_ENDED',
    );
  });
});
