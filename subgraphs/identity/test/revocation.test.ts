import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SessionRevoked, revokedSessionKey, type EventEnvelope, type Infra, type PayloadOf } from '@fashionistar/shared';
import { eventually } from '@fashionistar/shared/testing';
import type { IdentityContext } from '../src/context';
import { applySessionRevoked, watchMySession } from '../src/services/session.service';

const SESSION_REVOKED_EVENT = SessionRevoked.type;
import { AUTH_FIELDS, codes, identityFromToken, registerUser, startTestIdentity, type TestIdentity } from './helpers';

const REFRESH = `mutation($t: String!) { refresh(refreshToken: $t) { ${AUTH_FIELDS} } }`;

describe('identity: revocations reach the revoked-session list reliably', () => {
  let t: TestIdentity;
  before(async () => {
    t = await startTestIdentity();
  });
  after(() => t.stop());

  const revokedEvents = (sessionId: string) =>
    t.sql<{ type: string; version: number; payload: { sessionIds: string[]; reason: string } }>(
      `SELECT type, version, payload FROM outbox_event WHERE type = $1 AND payload->'sessionIds' ? $2`,
      [SESSION_REVOKED_EVENT, sessionId],
    );

  it('writes an identity.session.revoked event with every revocation, also outside a transaction', async () => {
    const u = await registerUser(t);
    const sessionId = identityFromToken(u.accessToken).sessionId;
    await t.ok(`mutation { logout }`, {}, { token: u.accessToken });
    const events = await revokedEvents(sessionId);
    assert.deepEqual(
      events.map((e) => [e.type, e.version, e.payload]),
      [[SESSION_REVOKED_EVENT, 1, { sessionIds: [sessionId], reason: 'LOGOUT' }]],
    );

    const v = await registerUser(t);
    const reused = identityFromToken(v.accessToken).sessionId;
    assert.equal((await t.call(REFRESH, { t: v.refreshToken })).errors, undefined);
    assert.deepEqual(codes(await t.call(REFRESH, { t: v.refreshToken })), ['UNAUTHENTICATED']);
    assert.deepEqual(
      (await revokedEvents(reused)).map((e) => e.payload.reason),
      ['REFRESH_TOKEN_REUSED'],
    );
  });

  it('still lists the session when the after-commit publish fails: the event consumer retries it', async () => {
    const u = await registerUser(t);
    const sessionId = identityFromToken(u.accessToken).sessionId;
    const kv = t.infra.kv;
    const realSet = kv.set.bind(kv);
    let failed = 0;
    kv.set = async (key, value, ttl) => {
      if (key === revokedSessionKey(sessionId) && failed === 0) {
        failed++;
        throw new Error('redis down (test)');
      }
      return realSet(key, value, ttl);
    };
    try {
      await t.ok(`mutation { logout }`, {}, { token: u.accessToken });
      assert.equal(await eventually(() => kv.get(revokedSessionKey(sessionId)), 8000), 'LOGOUT');
      assert.equal(failed, 1, 'one write failed');
      const ttl = await kv.ttl(revokedSessionKey(sessionId));
      assert.ok(ttl > 900 && ttl <= 960, `listed for the access-token lifetime, got ${ttl}`);
    } finally {
      kv.set = realSet;
    }
  });

  it('the consumer throws on a store failure (so the queue retries) and skips revocations whose tokens have expired', async () => {
    const config = t.server.deps.config;
    const event = (occurredAt: Date): EventEnvelope<PayloadOf<typeof SessionRevoked>> => ({
      id: randomUUID(),
      type: SESSION_REVOKED_EVENT,
      version: 1,
      occurredAt: occurredAt.toISOString(),
      source: 'identity',
      payload: { sessionIds: [randomUUID()], reason: 'LOGOUT' },
    });
    const sets: string[] = [];
    const failing = { kv: { set: async () => Promise.reject(new Error('down')) } } as unknown as Infra;
    const recording = { kv: { set: async (k: string) => void sets.push(k) } } as unknown as Infra;
    await assert.rejects(() => applySessionRevoked(failing, config, event(new Date())), /down/);
    await applySessionRevoked(recording, config, event(new Date(Date.now() - (config.ACCESS_TOKEN_TTL_SECONDS + 61) * 1000)));
    assert.deepEqual(sets, [], 'nothing to list once every access token has expired');
    await applySessionRevoked(recording, config, event(new Date()));
    assert.equal(sets.length, 1);
  });

  it("sessionRevoked: yields the own session's revocation, and return() ends the pub/sub subscription at once", async () => {
    const u = await registerUser(t);
    const ctx = { identity: identityFromToken(u.accessToken), infra: t.infra } as unknown as IdentityContext;
    const watch = await watchMySession(ctx);
    const first = watch.next();
    await t.ok(`mutation { logout }`, {}, { token: u.accessToken });
    const got = await first;
    assert.equal(got.done, false);
    assert.equal(got.value!.sessionRevoked.reason, 'LOGOUT');

    const pending = watch.next();
    const outcome = await Promise.race([
      watch.return!().then(() => 'returned'),
      new Promise((resolve) => setTimeout(() => resolve('stuck waiting for the next revocation'), 1000)),
    ]);
    assert.equal(outcome, 'returned');
    assert.deepEqual(await pending, { value: undefined, done: true }, 'the pending next() is settled');
  });
});
