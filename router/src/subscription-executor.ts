import { randomUUID } from 'node:crypto';
import { buildOperationContext, executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import { Supergraph, operationFromDocument, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode, type QueryPlan } from '@apollo/query-planner';
import {
  GraphQLError,
  Kind,
  getOperationAST,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { FORWARD_HEADERS, encodeIdentity, type Logger } from '@fashionistar/shared/edge';
import type { RouterContext } from './gateway';
import { Channel, mapIterator, type Subscription } from './iterators';
import { limitRules, type OperationLimits } from './limits';
import { costError, operationCost } from './cost';
import type { PageSizeLimits } from './page-sizes';

export interface SubscriptionExecutorOptions {
  supergraphSdl: string;
  /** Subgraph name → HTTP URL (the WebSocket URL is derived from it). */
  subgraphUrls: Record<string, string>;
  /** The gateway's data sources, used for the entity fetches of each event. */
  dataSources: Map<string, GraphQLDataSource>;
  routerSecret: string;
  limits: OperationLimits;
  /** `Type.field` → @pageSize max, for the operation cost. */
  pageSizes: PageSizeLimits;
  log: Logger;
}

/**
 * Runs subscription operations across the supergraph. The query planner splits a subscription
 * into a primary fetch (the subgraph that owns the root field) and the rest (entity fetches for
 * fields other subgraphs own). The primary is opened as a graphql-ws subscription to its
 * subgraph, carrying the router secret and the caller's identity; each event it yields is then
 * run through the gateway's own plan executor, with the primary answered from the event instead
 * of a fetch, so clients get cross-subgraph fields on every event and results shaped exactly like
 * queries (aliases, fragments, __typename).
 */
export class SubscriptionExecutor {
  private readonly apiSchema: Schema;
  private readonly apiGraphQLSchema: GraphQLSchema;
  private readonly supergraphSchema: GraphQLSchema;
  private readonly planner: QueryPlanner;

  constructor(private readonly o: SubscriptionExecutorOptions) {
    const supergraph = Supergraph.build(o.supergraphSdl);
    this.apiSchema = supergraph.apiSchema();
    this.apiGraphQLSchema = this.apiSchema.toGraphQLJSSchema();
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.planner = new QueryPlanner(supergraph);
  }

  /** The events of one subscription operation, or errors when it cannot start. */
  async subscribe(
    document: DocumentNode,
    operationName: string | undefined,
    variables: Record<string, unknown> | undefined,
    context: RouterContext,
  ): Promise<Subscription<ExecutionResult> | ExecutionResult> {
    const errors = validate(this.apiGraphQLSchema, document, [...specifiedRules, ...limitRules(this.o.limits)]);
    if (errors.length) return { errors: errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED')) };
    const operation = getOperationAST(document, operationName);
    if (operation) {
      const fragments = new Map(
        document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
      );
      const cost = operationCost(this.apiGraphQLSchema, this.o.pageSizes, operation, fragments, variables);
      if (cost > this.o.limits.maxCost) return { errors: [costError(cost, this.o.limits.maxCost)] };
    }
    let plan: QueryPlan;
    try {
      plan = this.planner.buildQueryPlan(operationFromDocument(this.apiSchema, document, { operationName }));
    } catch (error) {
      return { errors: [new GraphQLError((error as Error).message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })] };
    }
    if (plan.node?.kind !== 'Subscription') {
      return { errors: [new GraphQLError('Only subscription operations are planned here.', { extensions: { code: 'BAD_REQUEST' } })] };
    }
    const { primary, rest } = plan.node;
    const url = this.o.subgraphUrls[primary.serviceName];
    if (!url) return { errors: [new GraphQLError(`No URL for subgraph ${primary.serviceName}.`)] };
    const operationContext = buildOperationContext({ schema: this.apiGraphQLSchema, operationDocument: document, operationName });
    const events = subscribeToPrimary(this.connect(url, context), primary, variables ?? {});
    const perEvent: QueryPlan = { kind: 'QueryPlan', node: rest ? { kind: 'Sequence', nodes: [primary, rest] as PlanNode[] } : primary };
    const { dataSources, log } = this.o;
    const { apiGraphQLSchema, supergraphSchema, apiSchema } = this;

    // Hand-written rather than an async generator, so that the client stopping the subscription
    // closes the subgraph subscription at once, not when the subgraph's next event arrives.
    return mapIterator(
      events,
      async (event): Promise<ExecutionResult> => {
        if (!event.data) return { errors: event.errors ?? [new GraphQLError('The subscription ended with an error.')] };
        const serviceMap: ServiceMap = { ...Object.fromEntries(dataSources), [primary.serviceName]: new EventSource(event) };
        const requestContext = {
          request: { query: '', operationName, variables: variables ?? {} },
          context,
          logger: log,
          schema: apiGraphQLSchema,
          document,
          operationName: operationName ?? null,
          operation: operationContext.operation,
          metrics: {},
          overallCachePolicy: {},
        };
        return executeQueryPlan(
          perEvent,
          serviceMap,
          requestContext as unknown as Parameters<typeof executeQueryPlan>[2],
          operationContext,
          supergraphSchema,
          apiSchema,
        );
      },
      // An event without data (the subgraph failed or refused) is the last one.
      { last: (event) => !event.data },
    );
  }

  private connect(httpUrl: string, context: RouterContext): Client {
    const connectionParams: Record<string, string> = {
      routerSecret: this.o.routerSecret,
      [FORWARD_HEADERS.requestId]: context.requestId || randomUUID(),
    };
    if (context.identity) connectionParams[FORWARD_HEADERS.identity] = encodeIdentity(context.identity);
    if (context.clientIp) connectionParams[FORWARD_HEADERS.clientIp] = context.clientIp;
    if (context.userAgent) connectionParams[FORWARD_HEADERS.userAgent] = context.userAgent.slice(0, 500);
    return createClient({ url: httpUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
  }
}

/** Answers the primary fetch of a plan with the event the subgraph pushed. */
class EventSource implements GraphQLDataSource {
  constructor(private readonly event: ExecutionResult) {}
  async process() {
    return {
      data: this.event.data as Record<string, unknown>,
      errors: this.event.errors?.map((e) => ({ message: e.message, extensions: e.extensions })),
    };
  }
}

/**
 * The primary fetch as a graphql-ws subscription on its own client. A failure (the subgraph's
 * GraphQL errors, or the socket closing) becomes one last event with errors. `return()` completes
 * the subscription and closes the client's socket immediately.
 */
export function subscribeToPrimary(client: Client, primary: FetchNode, variables: Record<string, unknown>): Subscription<ExecutionResult> {
  const used = Object.fromEntries((primary.variableUsages ?? []).filter((v) => v in variables).map((v) => [v, variables[v]]));
  let unsubscribe: () => void = () => undefined;
  const events = new Channel<ExecutionResult>(async () => {
    unsubscribe();
    await client.dispose();
  });
  unsubscribe = client.subscribe(
    { query: primary.operation, variables: used, operationName: primary.operationName },
    {
      next: (result) => events.push({ ...result, errors: result.errors ? toGraphQLErrors(result.errors) : undefined } as ExecutionResult),
      error: (error) => {
        // graphql-ws reports the subgraph's GraphQL errors, or a CloseEvent / Error.
        const errors = Array.isArray(error)
          ? toGraphQLErrors(error)
          : [new GraphQLError('The subscription to a subgraph failed.', { extensions: { code: 'SUBGRAPH_UNAVAILABLE' } })];
        events.push({ errors });
        events.end();
      },
      complete: () => events.end(),
    },
  );
  return events;
}

/** Errors received as JSON from a subgraph, as GraphQLErrors (codes kept). */
function toGraphQLErrors(errors: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>): GraphQLError[] {
  return errors.map((e) => (e instanceof GraphQLError ? e : new GraphQLError(e.message, { extensions: e.extensions })));
}

function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, code: error.extensions.code ?? code } });
}
