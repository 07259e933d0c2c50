import type { ApolloServerPlugin, BaseContext as ApolloBaseContext } from '@apollo/server';
import { Kind, type DocumentNode } from 'graphql';
import type { Logger } from '../logger';
import type { ServiceMetrics } from './metrics';
import { activeSpan, startChildSpan } from './tracing';

/** What the access log says about who asked (never e-mail addresses, tokens or variables). */
export interface RequestFacts {
  requestId?: string;
  userId?: string | null;
}

export interface ObserveOptions<C> {
  /** The router or the subgraph's name (metrics label, tracer name). */
  service: string;
  metrics: ServiceMetrics;
  log: Logger;
  /** Level of the one access-log line per operation. */
  level: 'info' | 'debug';
  facts: (ctx: C) => RequestFacts;
  /** Whether to open a `graphql.execute` span (the router leaves that to the gateway's own spans). */
  executeSpan: boolean;
}

/** The name of a document's operation when it was parsed but never resolved (it failed validation). */
function nameInDocument(document: DocumentNode | undefined): string | undefined {
  const ops = document?.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION) ?? [];
  return ops.length === 1 ? ops[0]!.name?.value : undefined;
}

const header = (value: string | undefined): string | undefined => (value ? value.slice(0, 100) : undefined);

/**
 * One Apollo plugin for everything an operation reports: its metrics (count, errors by code,
 * latency), one access-log line, and parse/validate/execute spans under the request's span.
 */
export function observeOperations<C extends ApolloBaseContext>(o: ObserveOptions<C>): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ request }) {
      const started = performance.now();
      return {
        async parsingDidStart() {
          const span = startChildSpan(o.service, 'graphql.parse');
          return async () => void span?.end();
        },
        async validationDidStart() {
          const span = startChildSpan(o.service, 'graphql.validate');
          return async () => void span?.end();
        },
        async didResolveOperation({ operationName, operation }) {
          const span = activeSpan();
          if (!span) return;
          if (operation) span.setAttribute('graphql.operation.type', operation.operation);
          if (operationName) span.setAttribute('graphql.operation.name', operationName.slice(0, 100));
        },
        async executionDidStart() {
          if (!o.executeSpan) return;
          const span = startChildSpan(o.service, 'graphql.execute');
          if (!span) return;
          return {
            async executionDidEnd() {
              span.end();
            },
          };
        },
        async willSendResponse({ response, contextValue, operationName, operation, document }) {
          const name = operationName ?? request.operationName ?? nameInDocument(document);
          const ms = performance.now() - started;
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const codes = [...new Set(errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))];
          const status = response.http.status ?? 200;
          const type = operation?.operation ?? 'unknown';
          // Only operations that resolved get their own label: names from documents that never
          // parsed or validated are the caller's free text and would fill the label slots.
          const label = operation ? o.metrics.operationLabel(name) : 'invalid';
          o.metrics.requests.inc({ operation: label, type, status: String(status) });
          o.metrics.duration.observe({ operation: label, type }, ms / 1000);
          for (const code of codes) o.metrics.errors.inc({ operation: label, code });
          const facts = o.facts(contextValue);
          const headers = request.http?.headers;
          o.log[o.level](
            {
              requestId: facts.requestId,
              userId: facts.userId ?? undefined,
              operation: name?.slice(0, 100),
              type,
              ms: Math.round(ms * 10) / 10,
              status,
              codes: codes.length ? codes : undefined,
              client: header(headers?.get('apollographql-client-name')),
              clientVersion: header(headers?.get('apollographql-client-version')),
            },
            'graphql request',
          );
        },
      };
    },
  };
}
