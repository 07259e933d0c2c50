/**
 * Persisted queries through the router: the automatic persisted query round trip (hash only →
 * PERSISTED_QUERY_NOT_FOUND → hash and text → hash only), and allow-list mode with the manifest
 * codegen's client preset writes for the example client (tests/client-example): its operations
 * run, by hash or by the manifest's text; any other document is refused and never registered.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { SEED_PASSWORD, repoRoot } from '@fashionistar/shared';
import type { RunningRouter } from '@fashionistar/router/src/router';
import { ApiError, createClient } from '../client-example/client';
import { StorefrontPage } from '../client-example/operations';
import { startStack, type Stack } from '../src/stack';

const MANIFEST = join(repoRoot(), 'tests/client-example/__generated__/persisted-documents.json');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Answer {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

async function post(router: RunningRouter, body: object): Promise<Answer> {
  const res = await fetch(router.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, ...((await res.json()) as object) };
}

const persisted = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });
const codes = (a: Answer) => (a.errors ?? []).map((e) => e.extensions?.code);

describe('persisted queries', () => {
  let s: Stack;
  before(async () => {
    s = await startStack({}, {}, { SEED_SCALE: '20' });
  });
  after(() => s.stop());

  it('APQ (the default): hash only → PERSISTED_QUERY_NOT_FOUND, hash and text → runs, then hash only runs', async () => {
    // A document this router has never seen (the alias makes its hash new on every run).
    const query = `query Apq { n${randomUUID().slice(0, 8)}: __typename products(first: 1) { totalCount } }`;
    const hash = sha256(query);
    const miss = await post(s.router, { extensions: persisted(hash) });
    assert.deepEqual(codes(miss), ['PERSISTED_QUERY_NOT_FOUND']);
    const register = await post(s.router, { query, extensions: persisted(hash) });
    assert.equal(register.errors, undefined);
    assert.equal(typeof (register.data?.products as { totalCount: number }).totalCount, 'number');
    const hit = await post(s.router, { extensions: persisted(hash) });
    assert.equal(hit.errors, undefined);
    assert.deepEqual(hit.data, register.data);
    // A hash that is not the text's is refused, not registered.
    const lie = await post(s.router, { query: '{ __typename }', extensions: persisted(sha256('something else')) });
    assert.equal(lie.status, 400);
  });

  it('PERSISTED_QUERIES=off refuses the extension; the example client then sends the text', async () => {
    const router = await s.extraRouter({ PERSISTED_QUERIES: 'off' });
    const hashOnly = await post(router, { extensions: persisted(sha256('{ __typename }')) });
    assert.deepEqual(codes(hashOnly), ['PERSISTED_QUERY_NOT_SUPPORTED']);
    const client = createClient({ url: router.url, refreshTokenIn: 'body', persistedDocuments: true });
    const page = await client.request(StorefrontPage, { first: 2 });
    assert.equal(page.products.edges.length, 2);
  });

  describe('allow-list mode with the example client manifest', () => {
    let router: RunningRouter;
    const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>;
    before(async () => {
      // A manifest alone turns allow-list mode on.
      router = await s.extraRouter({ PERSISTED_QUERIES_MANIFEST: MANIFEST });
    });

    it("runs the example client's operations by hash: sign in, page, refresh, sign out", async () => {
      const client = createClient({ url: router.url, refreshTokenIn: 'body', persistedDocuments: true });
      const user = await client.signIn('customer3@fashionistar.test', SEED_PASSWORD);
      const page = await client.request(StorefrontPage, { first: 2 });
      assert.equal(page.me?.id, user.id);
      assert.equal(page.products.edges.length, 2);
      await client.refresh();
      await client.signOut();
    });

    it("runs a manifest operation sent as the manifest's text", async () => {
      const [key, text] = Object.entries(manifest).find(([, doc]) => doc.startsWith('query StorefrontPage'))!;
      const byText = await post(router, { query: text, variables: { first: 1 } });
      assert.equal(byText.status, 200);
      assert.equal((byText.data?.products as { edges: unknown[] }).edges.length, 1);
      const byHash = await post(router, { extensions: persisted(key.replace(/^sha256:/, '')), variables: { first: 1 } });
      assert.deepEqual(byHash.data, byText.data);
    });

    it('refuses any other document with PERSISTED_QUERY_NOT_ALLOWED, and never registers it', async () => {
      const other = '{ products(first: 1) { totalCount } }';
      const plain = await post(router, { query: other });
      assert.equal(plain.status, 400);
      assert.deepEqual(codes(plain), ['PERSISTED_QUERY_NOT_ALLOWED']);
      assert.equal(plain.data, undefined, 'nothing ran');
      // Registering it APQ-style is refused too, and the hash stays unknown afterwards.
      const register = await post(router, { query: other, extensions: persisted(sha256(other)) });
      assert.deepEqual(codes(register), ['PERSISTED_QUERY_NOT_ALLOWED']);
      const after = await post(router, { extensions: persisted(sha256(other)) });
      assert.deepEqual(codes(after), ['PERSISTED_QUERY_NOT_FOUND']);
      // A client that sends its own printing of a registered document is refused: only the
      // registered text (or its hash) runs.
      const client = createClient({ url: router.url, refreshTokenIn: 'body' });
      await assert.rejects(client.request(StorefrontPage, { first: 1 }), (e: ApiError) => e.code === 'PERSISTED_QUERY_NOT_ALLOWED');
    });

    it('refuses an unlisted document over WebSocket too (subscriptions do not pass the HTTP pipeline)', async () => {
      const ws = createWsClient({ url: router.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
      const failed = await new Promise<Array<{ extensions?: Record<string, unknown> }>>((resolve, reject) => {
        ws.subscribe(
          { query: 'subscription { sessionRevoked { sessionId } }' },
          {
            next: () => reject(new Error('an event')),
            error: (e) => resolve(e as Array<{ extensions?: Record<string, unknown> }>),
            complete: () => reject(new Error('completed')),
          },
        );
      });
      assert.equal(failed[0]?.extensions?.code, 'PERSISTED_QUERY_NOT_ALLOWED');
      await ws.dispose();
    });
  });
});
