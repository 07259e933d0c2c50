import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { BaseContext } from '../context';
import { consumeEvents, emitEvent, type EventHandler } from '../events/outbox';
import type { EventRoutes } from '../contracts/event';
import { messageConsumer, messageQueued } from '../contracts/messaging';
import { EVENT_ROUTES } from '../contracts/routes';
import type { Infra } from '../infra/types';
import type { Logger } from '../logger';
import type { MessageProviders } from './providers';

/**
 * The message outbox for e-mail and SMS. `queueMessage` stores the message in the caller's
 * transaction and emits an event; the dispatcher (a consumer of that event) hands it to the
 * configured provider. Without credentials for a channel the message stays STORED, readable
 * through the admin-only `sentMessages` query outside production, so OTP and e-mail flows can be
 * tested end to end without Twilio or SMTP.
 */
export type MessageChannel = 'EMAIL' | 'SMS';
export type MessageStatus = 'PENDING' | 'SENT' | 'STORED' | 'FAILED';

export interface OutboundMessage {
  id: string;
  channel: MessageChannel;
  recipient: string;
  subject: string | null;
  body: string;
  template: string;
  status: MessageStatus;
  provider: string | null;
  providerRef: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export const MESSAGES_SQL = {
  up: [
    `CREATE TABLE outbound_message (
      id uuid PRIMARY KEY,
      channel text NOT NULL CHECK (channel IN ('EMAIL', 'SMS')),
      recipient text NOT NULL,
      subject text,
      body text NOT NULL,
      template text NOT NULL,
      status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENT', 'STORED', 'FAILED')),
      provider text,
      provider_ref text,
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz
    )`,
    `CREATE INDEX outbound_message_recipient_idx ON outbound_message (recipient, created_at DESC)`,
    `CREATE INDEX outbound_message_created_idx ON outbound_message (created_at DESC)`,
  ],
  down: [`DROP TABLE outbound_message`],
};

export interface QueueMessageInput {
  channel: MessageChannel;
  to: string;
  subject?: string;
  body: string;
  /** A stable name of what this message is (e.g. `phone-otp`), for filtering and analytics. */
  template: string;
}

/** Stores the message in the caller's transaction and schedules its delivery. */
export async function queueMessage(ctx: BaseContext, source: string, m: QueueMessageInput): Promise<string> {
  const id = randomUUID();
  await ctx.em.query(`INSERT INTO outbound_message (id, channel, recipient, subject, body, template) VALUES ($1, $2, $3, $4, $5, $6)`, [
    id,
    m.channel,
    m.to,
    m.subject ?? null,
    m.body,
    m.template,
  ]);
  await emitEvent(ctx, messageQueued(source), { messageId: id });
  return id;
}

/** The message dispatcher's handler for `<source>.message.queued`, as a subgraph's `consumers` lists it. */
export function messageHandlers<S extends string>(
  source: S,
  ds: DataSource,
  providers: MessageProviders,
  log: Logger,
): { [T in `${S}.message.queued`]: EventHandler<{ messageId: string }> } {
  const handler: EventHandler<{ messageId: string }> = (event, em) => deliver(ds, em, event.payload.messageId, providers, log);
  return { [messageQueued(source).type]: handler } as { [T in `${S}.message.queued`]: EventHandler<{ messageId: string }> };
}

/**
 * Starts delivering queued messages of `source` through `providers`, outside a subgraph
 * definition (tests). The consumer `<source>-messages` must be declared in `routes`.
 */
export async function startMessageDispatcher(
  ds: DataSource,
  infra: Infra,
  source: string,
  providers: MessageProviders,
  log: Logger,
  routes: EventRoutes = EVENT_ROUTES,
): Promise<void> {
  await consumeEvents({
    dataSource: ds,
    infra,
    log,
    routes,
    consumer: messageConsumer(source),
    handlers: messageHandlers(source, ds, providers, log) as never,
  });
}

/** What a delivered message's body becomes: secrets in it must not outlive their delivery. */
export const REDACTED = '(delivered; content not kept)';

/**
 * Erases what the outbox keeps about a recipient (account deletion): bodies and the address
 * itself, in the caller's transaction.
 */
export async function forgetRecipient(em: EntityManager, recipient: string): Promise<void> {
  await em.query(`UPDATE outbound_message SET recipient = 'erased', subject = NULL, body = $2 WHERE recipient = $1`, [recipient, REDACTED]);
}

/** Sends after this many failed attempts are given up and the message marked FAILED. */
export const MAX_SEND_ATTEMPTS = 8;

async function deliver(ds: DataSource, em: EntityManager, id: string, providers: MessageProviders, log: Logger): Promise<void> {
  // No row lock: a second delivery of the same event waits on the processed_event insert instead.
  const [row]: Array<{ channel: MessageChannel; recipient: string; subject: string | null; body: string; status: MessageStatus }> =
    await em.query(`SELECT channel, recipient, subject, body, status FROM outbound_message WHERE id = $1`, [id]);
  if (!row || row.status !== 'PENDING') return;
  const provider = row.channel === 'SMS' ? providers.sms : providers.email;
  if (!provider) {
    await em.query(`UPDATE outbound_message SET status = 'STORED', attempts = attempts + 1 WHERE id = $1`, [id]);
    return;
  }
  try {
    const ref =
      row.channel === 'SMS'
        ? await providers.sms!.sendSms({ to: row.recipient, body: row.body })
        : await providers.email!.sendEmail({ to: row.recipient, subject: row.subject ?? '', text: row.body });
    // Once the provider has it, the body (one-time codes, reset links) is not kept here.
    await em.query(
      `UPDATE outbound_message SET status = 'SENT', provider = $2, provider_ref = $3, attempts = attempts + 1, sent_at = now(), body = $4
        WHERE id = $1`,
      [id, provider.name, ref, REDACTED],
    );
  } catch (error) {
    // Recorded outside the handler's transaction, which the throw below rolls back so that the
    // queue retries the delivery; past MAX_SEND_ATTEMPTS the message is FAILED and retries stop.
    const [failed]: Array<{ status: MessageStatus }> = await ds.query(
      `UPDATE outbound_message SET attempts = attempts + 1, last_error = $2,
              status = CASE WHEN attempts + 1 >= $3 THEN 'FAILED' ELSE status END
        WHERE id = $1 RETURNING status`,
      [id, String((error as Error)?.message ?? error).slice(0, 500), MAX_SEND_ATTEMPTS],
    );
    log.warn({ err: error, messageId: id, provider: provider.name, status: failed?.status }, 'message delivery failed');
    if (failed?.status === 'FAILED') return;
    throw error;
  }
}

/** Newest first; `to` filters by exact recipient. `first` is clamped to 1..100. */
export async function listMessages(
  em: EntityManager,
  to: string | null | undefined,
  first: number | null | undefined,
): Promise<OutboundMessage[]> {
  const limit = Math.min(Math.max(first ?? 20, 1), 100);
  const rows: Array<Record<string, unknown>> = await em.query(
    `SELECT id, channel, recipient, subject, body, template, status, provider, provider_ref, attempts, last_error, created_at, sent_at
       FROM outbound_message WHERE ($1::text IS NULL OR recipient = $1) ORDER BY created_at DESC, id LIMIT $2`,
    [to ?? null, limit],
  );
  return rows.map((r) => ({
    id: String(r.id),
    channel: r.channel as MessageChannel,
    recipient: String(r.recipient),
    subject: (r.subject as string | null) ?? null,
    body: String(r.body),
    template: String(r.template),
    status: r.status as MessageStatus,
    provider: (r.provider as string | null) ?? null,
    providerRef: (r.provider_ref as string | null) ?? null,
    attempts: Number(r.attempts),
    lastError: (r.last_error as string | null) ?? null,
    createdAt: new Date(r.created_at as string),
    sentAt: r.sent_at ? new Date(r.sent_at as string) : null,
  }));
}
