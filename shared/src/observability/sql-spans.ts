import { EventSubscriber, type AfterQueryEvent, type EntitySubscriberInterface } from 'typeorm';
import { activeSpan, recordSpan, tracingEnabled } from './tracing';

/**
 * A TypeORM subscriber that records one span per SQL statement, under the span of the request
 * that ran it: the statement text only, never its parameters (they hold e-mail addresses and
 * the like). TypeORM reports a statement once it is done, with its duration, so the span is
 * recorded after the fact.
 */
export function sqlSpanSubscriber(schema: string): new () => EntitySubscriberInterface {
  class SqlSpans implements EntitySubscriberInterface {
    afterQuery(event: AfterQueryEvent): void {
      // Only statements of a request: the relay's polling and metric scrapes would be noise.
      if (!tracingEnabled() || !activeSpan()) return;
      const ended = Date.now();
      const verb = /^\s*(\w+)/.exec(event.query)?.[1]?.toUpperCase() ?? 'SQL';
      recordSpan(
        schema,
        `${verb} ${schema}`,
        ended - (event.executionTime ?? 0),
        ended,
        { 'db.system': 'postgresql', 'db.namespace': schema, 'db.statement': event.query.slice(0, 4000) },
        !event.success,
      );
    }
  }
  // What the @EventSubscriber() decorator does: TypeORM only instantiates registered subscribers.
  EventSubscriber()(SqlSpans);
  return SqlSpans;
}
