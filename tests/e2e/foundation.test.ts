import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { seedUserId } from '@fashionistar/identity/src/seed/seed';
import {
  AddAddressDocument,
  LoginDocument,
  LogoutDocument,
  MeDocument,
  RefreshDocument,
  RegisterDocument,
  RequestPhoneVerificationDocument,
  SentMessagesDocument,
  VerifyPhoneDocument,
} from '../src/__generated__/graphql';
import { codes, startStack, type Stack } from '../src/stack';

const PASSWORD = 'Passw0rd!';

describe('foundation journey through the router', () => {
  let s: Stack;
  before(async () => {
    s = await startStack();
  });
  after(() => s.stop());

  const login = async (email: string, password = PASSWORD) => {
    const r = await s.gql(LoginDocument, { input: { email, password } });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data!.login;
  };

  it('register → login → me → refresh → reuse kills the family → logout', async () => {
    const email = `journey_${Date.now()}@example.com`;
    const phone = `+234806${String(Date.now()).slice(-7)}`;
    const reg = await s.gql(RegisterDocument, {
      input: { email, phone, password: 'Str0ng-Passw0rd', firstName: 'Ada', lastName: 'Obi', role: 'CUSTOMER' },
    });
    assert.equal(reg.errors, undefined, JSON.stringify(reg.errors));
    assert.equal(reg.data!.register.user.email, email);

    const signedIn = await login(email, 'Str0ng-Passw0rd');
    const me = await s.gql(MeDocument, {}, signedIn.accessToken);
    assert.deepEqual(
      [me.data!.me!.id, me.data!.me!.email, me.data!.me!.phone, me.data!.me!.emailVerified],
      [reg.data!.register.user.id, email, phone, false],
    );

    const r1 = await s.gql(RefreshDocument, { refreshToken: signedIn.refreshToken });
    assert.equal(r1.errors, undefined);
    const reuse = await s.gql(RefreshDocument, { refreshToken: signedIn.refreshToken });
    assert.deepEqual(codes(reuse), ['UNAUTHENTICATED']);
    assert.equal(reuse.data, null);
    assert.deepEqual(codes(await s.gql(RefreshDocument, { refreshToken: r1.data!.refresh.refreshToken })), ['UNAUTHENTICATED']);
    // The family's access tokens are refused by the router right away.
    assert.deepEqual(codes(await s.gql(MeDocument, {}, r1.data!.refresh.accessToken)), ['UNAUTHENTICATED']);

    const fresh = await login(email, 'Str0ng-Passw0rd');
    const out = await s.gql(LogoutDocument, {}, fresh.accessToken);
    assert.equal(out.data!.logout, true);
    assert.deepEqual(codes(await s.gql(RefreshDocument, { refreshToken: fresh.refreshToken })), ['UNAUTHENTICATED']);
    const after = await s.gql(MeDocument, {}, fresh.accessToken);
    assert.deepEqual(codes(after), ['UNAUTHENTICATED']);
    assert.equal(after.status, 401);
  });

  it('phone OTP read back through sentMessages verifies the phone', async () => {
    const phone = `+234807${String(Date.now()).slice(-7)}`;
    const reg = await s.gql(RegisterDocument, { input: { phone, password: 'Str0ng-Passw0rd', firstName: 'Ngozi', lastName: 'Eze' } });
    const token = reg.data!.register.accessToken;
    assert.equal((await s.gql(RequestPhoneVerificationDocument, {}, token)).data!.requestPhoneVerification, true);
    const admin = await login('admin@fashionistar.test');
    const outbox = await s.gql(SentMessagesDocument, { to: phone, first: 1 }, admin.accessToken);
    const code = /\b(\d{6})\b/.exec(outbox.data!.sentMessages[0]!.body)![1]!;
    const verified = await s.gql(VerifyPhoneDocument, { code }, token);
    assert.equal(verified.data!.verifyPhone.phoneVerified, true);
  });

  it('answers UNAUTHENTICATED without a token, FORBIDDEN for a customer on an admin field, and adds addresses', async () => {
    assert.deepEqual(codes(await s.gql(MeDocument, {})), ['UNAUTHENTICATED']);
    const customer = await login('customer1@fashionistar.test');
    const forbidden = await s.gql(SentMessagesDocument, { first: 1 }, customer.accessToken);
    assert.deepEqual(codes(forbidden), ['FORBIDDEN']);
    assert.equal(forbidden.data, null);
    const added = await s.gql(
      AddAddressDocument,
      { input: { fullName: 'C One', phone: '+2348012345678', line1: '1 Way', city: 'Ikeja', state: 'Lagos' } },
      customer.accessToken,
    );
    assert.equal(added.data!.addAddress.isDefault, true);
    const me = await s.gql(MeDocument, {}, customer.accessToken);
    assert.equal(me.data!.me!.id, seedUserId('customer1@fashionistar.test'));
    assert.ok(me.data!.me!.addresses.some((a) => a.id === added.data!.addAddress.id));
  });

  it('refuses malformed, forged, expired and wrong-audience tokens, even on public operations, but not on sign-in flows', async () => {
    const key = s.identity.deps.keys.current;
    const { privateKey: otherKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const claims = { roles: ['ADMIN'], sid: '00000000-0000-0000-0000-000000000001' };
    const base = {
      algorithm: 'ES256' as const,
      keyid: key.kid,
      subject: seedUserId('admin@fashionistar.test'),
      issuer: 'fashionistar-identity',
      audience: 'fashionistar',
    };
    const tokens = {
      garbage: 'not.a.jwt',
      forged: jwt.sign(claims, otherKey, { ...base, expiresIn: 60 }),
      expired: jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 }, key.privateKey, base),
      audience: jwt.sign(claims, key.privateKey, { ...base, audience: 'someone-else', expiresIn: 60 }),
      unknownKid: jwt.sign(claims, key.privateKey, { ...base, keyid: 'nope', expiresIn: 60 }),
      hs256: jwt.sign(claims, 'secret', { algorithm: 'HS256', keyid: key.kid, subject: 'x', expiresIn: 60 }),
    };
    for (const [name, token] of Object.entries(tokens)) {
      const r = await s.gql('{ categories { slug } }', {}, token);
      assert.deepEqual(codes(r), ['UNAUTHENTICATED'], name);
      assert.equal(r.status, 401, name);
      assert.equal(r.errors![0]!.extensions?.reason, name === 'expired' ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID', name);
      assert.ok(!r.data, `${name}: no data alongside the error`);
      // Sign-in flows run whatever token is attached: a client whose token went bad can sign in again.
      const signIn = await s.gql(LoginDocument, { input: { email: 'customer1@fashionistar.test', password: PASSWORD } }, token);
      assert.equal(signIn.errors, undefined, `${name}: ${JSON.stringify(signIn.errors)}`);
    }
    const valid = jwt.sign(claims, key.privateKey, { ...base, expiresIn: 60 });
    assert.equal((await s.gql(SentMessagesDocument, { first: 1 }, valid)).errors, undefined, 'a genuine token passes');
  });

  it('serves the JWKS and keeps verifying across a key rotation', async () => {
    const before = await login('customer2@fashionistar.test');
    const jwks = (await (await fetch(`${s.origin}/.well-known/jwks.json`)).json()) as {
      keys: Array<{ kid: string; alg: string; kty: string; d?: string }>;
    };
    assert.deepEqual(
      jwks.keys.map((k) => [k.kid, k.alg, k.kty]),
      [[s.identity.deps.keys.current.kid, 'ES256', 'EC']],
    );
    assert.ok(
      jwks.keys.every((k) => k.d === undefined),
      'no private parts',
    );

    s.identity.deps.keys.rotate();
    s.identity.deps.keys.load(false);
    await new Promise((r) => setTimeout(r, 1100)); // the router refetches an unknown kid at most once a second
    const afterRotation = await login('customer2@fashionistar.test');
    assert.notEqual(
      JSON.parse(Buffer.from(afterRotation.accessToken.split('.')[0]!, 'base64url').toString()).kid,
      JSON.parse(Buffer.from(before.accessToken.split('.')[0]!, 'base64url').toString()).kid,
    );
    assert.equal((await s.gql(MeDocument, {}, afterRotation.accessToken)).errors, undefined, 'new key picked up');
    assert.equal((await s.gql(MeDocument, {}, before.accessToken)).errors, undefined, 'old key still verifies');
  });

  it('refuses NUL characters in any input at the router with BAD_USER_INPUT, writing nothing', async () => {
    const email = `nul-${Date.now()}@example.test`;
    const r = await s.gql(`mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`, {
      i: { email, password: 'Str0ng-Passw0rd', firstName: 'A\u0000da', lastName: 'Obi' },
    });
    assert.equal(r.status, 400);
    assert.deepEqual(codes(r), ['BAD_USER_INPUT']);
    const rows = await s.identity.dataSource.query(`SELECT id FROM app_user WHERE email = $1`, [email]);
    assert.deepEqual(rows, []);
    // The same in the document itself, in either escape form GraphQL knows (the planner re-prints
    // `\u{0}` as `\u0000`, which a subgraph refused with a masked 400 before).
    for (const escape of ['\\u0000', '\\u{0}', '\\u{000}']) {
      const inline = await s.gql(`{ vendor(slug: "a${escape}b") { id } }`);
      assert.deepEqual([inline.status, codes(inline)], [400, ['BAD_USER_INPUT']], escape);
    }
  });

  it('refuses direct subgraph calls without the router secret', async () => {
    const res = await fetch(s.identity.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    assert.equal(res.status, 401);
    const forgedIdentity = await fetch(s.identity.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-fsg-identity': Buffer.from(JSON.stringify({ userId: 'x', sessionId: 'y', roles: ['ADMIN'] })).toString('base64url'),
      },
      body: JSON.stringify({ query: '{ sentMessages { id } }' }),
    });
    assert.equal(forgedIdentity.status, 401);
  });

  it('reports health, naming what is not ready', async () => {
    const ok = await fetch(`${s.origin}/health`);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), {
      status: 'ok',
      subgraphs: Object.fromEntries(Object.keys(s.urls).map((n) => [n, 'ok'])),
      store: 'ok',
    });
    const broken = await s.extraRouter({}, { ...s.urls, identity: 'http://127.0.0.1:9/graphql' });
    const res = await fetch(broken.url.replace('/graphql', '/health'));
    assert.equal(res.status, 503);
    const body = (await res.json()) as { subgraphs: Record<string, string> };
    assert.match(body.subgraphs.identity!, /unreachable/);
  });

  it('enforces depth and alias limits and CSRF prevention', async () => {
    const deep = await s.gql(`{ me { addresses { id } } }`, {}, undefined);
    assert.deepEqual(codes(deep), ['UNAUTHENTICATED']);
    const limited = await s.extraRouter({ MAX_DEPTH: '2', MAX_ALIASES: '2' });
    const call = (query: string) =>
      fetch(limited.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) }).then(
        (r) => r.json() as Promise<{ errors?: Array<{ message: string; extensions?: { code?: string } }> }>,
      );
    const tooDeep = await call(`{ me { addresses { id } } }`);
    assert.equal(tooDeep.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.match(tooDeep.errors![0]!.message, /nested 3 levels/);
    const aliases = await call(`{ a: __typename b: __typename c: __typename }`);
    assert.match(aliases.errors![0]!.message, /3 aliases/);
    const simpleGet = await fetch(`${s.router.url}?query=${encodeURIComponent('{ __typename }')}`);
    assert.equal(simpleGet.status, 400, 'a GET without a preflight-forcing header is refused (CSRF)');
    const getMutation = await fetch(`${s.router.url}?query=${encodeURIComponent('mutation { logout }')}`, {
      headers: { 'apollo-require-preflight': '1' },
    });
    assert.equal(getMutation.status, 405);
  });

  it('serves GraphiQL without a CDN and allows introspection outside production only', async () => {
    const page = await fetch(s.router.url, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<html/i);
    assert.doesNotMatch(html, /<script[^>]+src="https?:\/\//i, 'no script from another host');
    const intro = await s.gql(`{ __schema { queryType { name } } }`);
    assert.equal(intro.errors, undefined);

    const prod = await s.extraRouter({ NODE_ENV: 'production', ROUTER_SECRET: 'dev-router-secret-change-me-but-prod' });
    const prodIntro = await fetch(prod.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
    });
    const body = (await prodIntro.json()) as { errors?: Array<{ message: string }> };
    assert.match(body.errors![0]!.message, /[Ii]ntrospection/);
    const prodPage = await fetch(prod.url, { headers: { accept: 'text/html' } });
    assert.notEqual(prodPage.status, 200);
  });

  describe('over graphql-ws', () => {
    const clients: Client[] = [];
    after(async () => {
      for (const c of clients) await c.dispose();
    });
    const connect = (authorization?: string) => {
      const client = createClient({
        url: s.router.url.replace('http', 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: authorization ? { authorization } : {},
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
      return client;
    };
    const once = (client: Client, query: string) =>
      new Promise<{ data?: unknown; errors?: Array<{ extensions?: { code?: string } }> }>((resolve, reject) => {
        let result: unknown;
        client.subscribe({ query }, { next: (v) => (result = v), error: reject, complete: () => resolve(result as never) });
      });

    it('runs operations with the token from connectionParams', async () => {
      const customer = await login('customer3@fashionistar.test');
      const r = await once(connect(`Bearer ${customer.accessToken}`), '{ me { email } }');
      assert.deepEqual(r.data, { me: { email: 'customer3@fashionistar.test' } });
      const anon = await once(connect(), '{ me { email } }');
      assert.equal(anon.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    });

    it('closes the socket with 4403 for a bad token', async () => {
      const err = await once(connect('Bearer not.a.jwt'), '{ __typename }').then(
        () => null,
        (e: unknown) => e,
      );
      assert.equal((err as { code?: number } | null)?.code, 4403);
    });
  });
});
