/**
 * The message outbox against real Postgres and Redis: queued messages reach the provider with
 * the exact request, are stored when no provider is configured, are retried when the provider
 * fails, and vanish with a rolled-back transaction.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { createDataSource, initializeAndMigrate } from '../src/db/data-source';
import { inTransaction, type BaseContext } from '../src/context';
import { OUTBOX_SQL, OutboxRelay } from '../src/events/outbox';
import {
  MAX_SEND_ATTEMPTS,
  MESSAGES_SQL,
  REDACTED,
  forgetRecipient,
  listMessages,
  queueMessage,
  startMessageDispatcher,
} from '../src/messaging/message-outbox';
import { RecordingProvider } from '../src/messaging/providers';
import type { Infra } from '../src/infra/types';
import { createLogger } from '../src/logger';
import { createTestDatabase, createTestInfra, eventually, testContext, type TestDatabase } from '../src/testing';
import { messageConsumer, messageQueued } from '../src/contracts/messaging';

const log = createLogger('message-outbox-test', 'silent');
const TIMEOUT = { timeout: 10_000 };
const SCHEMA = 'messages_test';

class MessagesInit1700000000002 implements MigrationInterface {
  name = 'MessagesInit1700000000002';
  async up(q: QueryRunner): Promise<void> {
    for (const sql of [...OUTBOX_SQL.up, ...MESSAGES_SQL.up]) await q.query(sql);
  }
  async down(q: QueryRunner): Promise<void> {
    for (const sql of [...MESSAGES_SQL.down, ...OUTBOX_SQL.down]) await q.query(sql);
  }
}

interface Row {
  status: string;
  provider: string | null;
  provider_ref: string | null;
  attempts: number;
  sent_at: Date | null;
}

describe('message outbox', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let infra: Infra;
  let relay: OutboxRelay;

  const ctx = (): BaseContext => testContext({ em: ds.manager, infra });
  // The test's own message sources, each with its consumer (the supergraph declares identity's).
  const routes = Object.fromEntries(
    ['send', 'store', 'half', 'retry', 'doomed', 'rollback'].map((source) => [messageConsumer(source), [messageQueued(source)]]),
  );
  const row = async (id: string): Promise<Row | undefined> =>
    (await ds.query(`SELECT status, provider, provider_ref, attempts, sent_at FROM outbound_message WHERE id = $1`, [id]))[0];
  /** Relays the outbox until `id` leaves PENDING, and answers its row. */
  const settled = async (id: string): Promise<Row> => {
    await relay.flush();
    return eventually(async () => {
      const r = await row(id);
      return r && r.status !== 'PENDING' ? r : null;
    }, 8000);
  };

  before(async () => {
    db = await createTestDatabase();
    infra = createTestInfra('redis');
    ds = createDataSource({ url: db.url, schema: SCHEMA, entities: [], migrations: [MessagesInit1700000000002], poolSize: 5 });
    await initializeAndMigrate(ds);
    relay = new OutboxRelay(ds, infra, SCHEMA, log, routes);
  });
  after(async () => {
    await infra?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('sends SMS and e-mail with the exact requests and marks them SENT', TIMEOUT, async () => {
    const recording = new RecordingProvider();
    await startMessageDispatcher(ds, infra, 'send', { sms: recording, email: recording }, log, routes);
    const [smsId, emailId] = await inTransaction(ctx(), async (tx) => [
      await queueMessage(tx, 'send', { channel: 'SMS', to: '+2348031234567', body: 'Your code is 123456', template: 'phone-otp' }),
      await queueMessage(tx, 'send', {
        channel: 'EMAIL',
        to: 'ada@example.com',
        subject: 'Verify your e-mail',
        body: 'Click https://x/verify?t=abc',
        template: 'verify-email',
      }),
    ]);
    assert.equal((await row(smsId))?.status, 'PENDING', 'nothing is sent before the relay runs');

    const sms = await settled(smsId);
    const email = await settled(emailId);
    assert.deepEqual(recording.sms, [{ to: '+2348031234567', body: 'Your code is 123456' }]);
    assert.deepEqual(recording.emails, [{ to: 'ada@example.com', subject: 'Verify your e-mail', text: 'Click https://x/verify?t=abc' }]);
    assert.deepEqual(
      { ...sms, sent_at: null },
      { status: 'SENT', provider: 'recording', provider_ref: 'sms-1', attempts: 1, sent_at: null },
    );
    assert.deepEqual(
      { ...email, sent_at: null },
      { status: 'SENT', provider: 'recording', provider_ref: 'email-1', attempts: 1, sent_at: null },
    );
    assert.ok(sms.sent_at instanceof Date && email.sent_at instanceof Date);
    const bodies = await ds.query(`SELECT body FROM outbound_message WHERE id = ANY($1)`, [[smsId, emailId]]);
    assert.deepEqual(bodies, [{ body: REDACTED }, { body: REDACTED }], 'secrets are not kept once delivered');
  });

  it('forgets a recipient on request (account deletion)', TIMEOUT, async () => {
    const id = await inTransaction(ctx(), (tx) =>
      queueMessage(tx, 'forget', { channel: 'SMS', to: '+2348039999999', body: 'code 111111', template: 't' }),
    );
    await forgetRecipient(ds.manager, '+2348039999999');
    const [row] = await ds.query(`SELECT recipient, body FROM outbound_message WHERE id = $1`, [id]);
    assert.deepEqual(row, { recipient: 'erased', body: REDACTED });
  });

  it('stores messages of a channel without a provider', TIMEOUT, async () => {
    await startMessageDispatcher(ds, infra, 'store', {}, log, routes);
    const id = await inTransaction(ctx(), (tx) =>
      queueMessage(tx, 'store', { channel: 'SMS', to: '+2348030000001', body: 'code 1', template: 'phone-otp' }),
    );
    assert.deepEqual(await settled(id), { status: 'STORED', provider: null, provider_ref: null, attempts: 1, sent_at: null });
  });

  it('stores only the channel without a provider', TIMEOUT, async () => {
    const recording = new RecordingProvider();
    await startMessageDispatcher(ds, infra, 'half', { email: recording }, log, routes);
    const [smsId, emailId] = await inTransaction(ctx(), async (tx) => [
      await queueMessage(tx, 'half', { channel: 'SMS', to: '+2348030000002', body: 'b', template: 't' }),
      await queueMessage(tx, 'half', { channel: 'EMAIL', to: 'b@example.com', body: 'b', template: 't' }),
    ]);
    assert.equal((await settled(smsId)).status, 'STORED');
    assert.equal((await settled(emailId)).status, 'SENT');
    assert.deepEqual(recording.sms, []);
    assert.deepEqual(recording.emails, [{ to: 'b@example.com', subject: '', text: 'b' }]);
  });

  it('retries a failing provider and sends the message once', TIMEOUT, async () => {
    const recording = new RecordingProvider();
    recording.failNext = 1;
    await startMessageDispatcher(ds, infra, 'retry', { sms: recording }, log, routes);
    const id = await inTransaction(ctx(), (tx) =>
      queueMessage(tx, 'retry', { channel: 'SMS', to: '+2348030000003', body: 'again', template: 't' }),
    );
    const r = await settled(id);
    assert.equal(r.status, 'SENT');
    assert.equal(r.provider, 'recording');
    assert.equal(recording.failNext, 0, 'the first attempt failed');
    assert.deepEqual(recording.sms, [{ to: '+2348030000003', body: 'again' }]);
    await infra.queues.idle();
    assert.equal(recording.sms.length, 1, 'no second send after success');
    const [row] = await ds.query(`SELECT attempts, last_error FROM outbound_message WHERE id = $1`, [id]);
    assert.deepEqual(row, { attempts: 2, last_error: 'provider unavailable (recording double)' }, 'the failed attempt is recorded');
  });

  it('gives up after MAX_SEND_ATTEMPTS and marks the message FAILED', TIMEOUT, async () => {
    const recording = new RecordingProvider();
    recording.failNext = 1000;
    await startMessageDispatcher(ds, infra, 'doomed', { sms: recording }, log, routes);
    const id = await inTransaction(ctx(), (tx) =>
      queueMessage(tx, 'doomed', { channel: 'SMS', to: '+2348030000009', body: 'x', template: 't' }),
    );
    await ds.query(`UPDATE outbound_message SET attempts = $2 WHERE id = $1`, [id, MAX_SEND_ATTEMPTS - 1]);
    const r = await settled(id);
    assert.equal(r.status, 'FAILED');
    assert.equal(r.attempts, MAX_SEND_ATTEMPTS);
  });

  it('leaves no message when the transaction rolls back', TIMEOUT, async () => {
    const recording = new RecordingProvider();
    await startMessageDispatcher(ds, infra, 'rollback', { sms: recording }, log, routes);
    await assert.rejects(
      inTransaction(ctx(), async (tx) => {
        await queueMessage(tx, 'rollback', { channel: 'SMS', to: '+2348030000004', body: 'never', template: 't' });
        throw new Error('sign-up failed');
      }),
      /sign-up failed/,
    );
    assert.deepEqual(await ds.query(`SELECT id FROM outbound_message WHERE recipient = '+2348030000004'`), []);
    assert.deepEqual(await ds.query(`SELECT id FROM outbox_event WHERE type = 'rollback.message.queued'`), []);
    await relay.flush();
    await infra.queues.idle();
    assert.deepEqual(recording.sms, []);
  });

  describe('listMessages', () => {
    const to = '+2348039999999';
    const ids: string[] = [];

    before(async () => {
      // Separate transactions, so created_at (the transaction's now()) increases.
      for (const n of [1, 2, 3]) {
        ids.push(await inTransaction(ctx(), (tx) => queueMessage(tx, 'list', { channel: 'SMS', to, body: `m${n}`, template: 'list' })));
      }
      await ds.query(
        `INSERT INTO outbound_message (id, channel, recipient, body, template)
         SELECT gen_random_uuid(), 'EMAIL', 'bulk' || g || '@example.com', 'bulk', 'bulk' FROM generate_series(1, 110) g`,
      );
    });

    it('filters by recipient and orders newest first', async () => {
      const list = await listMessages(ds.manager, to, 10);
      assert.deepEqual(
        list.map((m) => m.id),
        [...ids].reverse(),
      );
      assert.deepEqual(
        list.map((m) => m.body),
        ['m3', 'm2', 'm1'],
      );
      const [m] = list;
      assert.equal(m.channel, 'SMS');
      assert.equal(m.recipient, to);
      assert.equal(m.template, 'list');
      assert.equal(m.status, 'PENDING');
      assert.equal(m.subject, null);
      assert.ok(m.createdAt instanceof Date && !Number.isNaN(m.createdAt.getTime()));
      assert.ok(list[0].createdAt.getTime() >= list[1].createdAt.getTime());
      assert.deepEqual(await listMessages(ds.manager, 'nobody@example.com', 10), []);
    });

    it('clamps first to 1..100, default 20', async () => {
      assert.equal((await listMessages(ds.manager, to, 2)).length, 2);
      assert.deepEqual(
        (await listMessages(ds.manager, to, 2)).map((m) => m.body),
        ['m3', 'm2'],
      );
      assert.equal((await listMessages(ds.manager, to, 0)).length, 1);
      assert.equal((await listMessages(ds.manager, to, -5)).length, 1);
      assert.equal((await listMessages(ds.manager, null, 1000)).length, 100);
      assert.equal((await listMessages(ds.manager, null, null)).length, 20);
      assert.equal((await listMessages(ds.manager, undefined, undefined)).length, 20);
    });
  });
});
