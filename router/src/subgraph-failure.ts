import { GraphQLError, Kind, parse, type FieldNode, type SelectionSetNode } from 'graphql';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { UnavailableError, type UnavailableCode } from '@fashionistar/shared/edge';

type GatewayGraphQLRequest = GraphQLDataSourceProcessOptions['request'];

/**
 * What a failed subgraph fetch becomes for the client. @apollo/gateway turns a fetch that throws
 * (connection refused or reset, our SUBGRAPH_TIMEOUT_MS abort, an HTTP error status) into an
 * error without a code and without a path, which formatError masks as "Internal server error":
 * the client cannot tell a broken request from a subgraph that is down, and retries neither.
 * Here such a failure is answered as the subgraph's own GraphQL error instead, so the gateway
 * places it at the fields that fetch would have filled.
 */
export interface SubgraphFailure {
  code: UnavailableCode;
  /** A short cause for the log: ECONNREFUSED, timeout, http 503… */
  cause: string;
}

/**
 * The failure a thrown fetch error stands for, or null when the subgraph did answer in GraphQL
 * (an error status with a GraphQL body other than 5xx/413 is left to the gateway as before).
 */
export function classifyFetchError(error: unknown): SubgraphFailure | null {
  if (error instanceof GraphQLError) {
    const response = error.extensions?.response as { status?: number; body?: unknown } | undefined;
    const status = response?.status;
    if (typeof status !== 'number') return null;
    if (status === 413) return { code: 'SUBGRAPH_REQUEST_TOO_LARGE', cause: 'http 413' };
    if (status >= 500) return { code: 'SUBGRAPH_UNAVAILABLE', cause: `http ${status}` };
    return null;
  }
  const e = error as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.cause?.name === 'TimeoutError')
    return { code: 'SUBGRAPH_UNAVAILABLE', cause: 'timeout' };
  // undici's "fetch failed" carries the socket error (ECONNREFUSED, ECONNRESET, …) as its cause;
  // a body that is not JSON (a proxy's HTML page) lands here too.
  return { code: 'SUBGRAPH_UNAVAILABLE', cause: e?.cause?.code ?? e?.code ?? e?.name ?? 'error' };
}

const MESSAGES: Record<UnavailableCode, string> = {
  SUBGRAPH_UNAVAILABLE: 'Part of the service is unavailable right now. Try again shortly.',
  SERVICE_UNAVAILABLE: 'The service is unavailable right now. Try again shortly.',
  SUBGRAPH_REQUEST_TOO_LARGE: 'This request needs more data at once than the service accepts. Ask for fewer items.',
};

/**
 * The GraphQL error the subgraph "answers" for a failed fetch. Its path is relative to the fetch,
 * as a subgraph's own would be: the first root field, or for an entity fetch the first entity and
 * the first field asked of it, which the gateway turns into the path in the client's operation.
 */
export function failureError(failure: SubgraphFailure, request: GatewayGraphQLRequest, subgraph: string, production: boolean) {
  const error = new UnavailableError(MESSAGES[failure.code], failure.code, production ? {} : { subgraph });
  const path = fetchPath(request);
  return { message: error.message, extensions: error.extensions, ...(path ? { path } : {}) };
}

function fetchPath(request: GatewayGraphQLRequest): Array<string | number> | undefined {
  try {
    const doc = parse(request.query ?? '');
    const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    if (!op || op.kind !== Kind.OPERATION_DEFINITION) return undefined;
    const root = firstField(op.selectionSet);
    if (!root) return undefined;
    const key = root.alias?.value ?? root.name.value;
    if (root.name.value !== '_entities') return [key];
    const inner = root.selectionSet && firstField(root.selectionSet);
    return inner ? [key, 0, inner.alias?.value ?? inner.name.value] : [key, 0];
  } catch {
    return undefined;
  }
}

/** The first field of a selection set, looking into inline fragments (`... on Product { … }`). */
function firstField(set: SelectionSetNode): FieldNode | undefined {
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD && s.name.value !== '__typename') return s;
    if (s.kind === Kind.INLINE_FRAGMENT) {
      const inner = firstField(s.selectionSet);
      if (inner) return inner;
    }
  }
  return undefined;
}
