import { defineEvent } from './event';

/** The event a subgraph's message outbox writes for each stored message (`<source>.message.queued`). */
export const messageQueued = <S extends string>(source: S) =>
  defineEvent<{ messageId: string }>()(`${source}.message.queued` as `${S}.message.queued`, 1);

/** The consumer that delivers a subgraph's outbound messages. */
export const messageConsumer = <S extends string>(source: S): `${S}-messages` => `${source}-messages`;
