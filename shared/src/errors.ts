import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * The one error hierarchy. Every expected failure is thrown as one of these, so clients see a
 * single shape on every operation: a GraphQL error whose `extensions.code` says what happened.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | UnavailableCode
  | 'INTERNAL_SERVER_ERROR';

/**
 * A part of the service could not answer; nothing is wrong with the request and it may be
 * retried (`extensions.retryable: true`): SUBGRAPH_UNAVAILABLE when a subgraph is down, slow
 * (SUBGRAPH_TIMEOUT_MS) or failing; SERVICE_UNAVAILABLE when the router's own store (Redis: the
 * revoked-session list) is unreachable. SUBGRAPH_REQUEST_TOO_LARGE (not retryable) when a
 * subgraph refused the router's fetch as too large: ask for fewer items.
 */
export type UnavailableCode = 'SUBGRAPH_UNAVAILABLE' | 'SERVICE_UNAVAILABLE' | 'SUBGRAPH_REQUEST_TOO_LARGE';

export class AppError extends GraphQLError {
  constructor(message: string, code: ErrorCode, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
  get code(): ErrorCode {
    return this.extensions.code as ErrorCode;
  }
}

/** One problem with an input: `path` is relative to the operation's arguments (`input.price`, `input.images.0.url`). */
export interface FieldProblem {
  path: string;
  message: string;
}

/**
 * Invalid input. `field` names the first argument path at fault; `fields` lists every problem
 * found (a form marks them all at once). Thrown with one problem, `fields` holds just that one.
 */
export class BadUserInputError extends AppError {
  constructor(message: string, field?: string, fields?: FieldProblem[]) {
    const all = fields ?? (field ? [{ path: field, message }] : undefined);
    super(message, 'BAD_USER_INPUT', field ? { field, fields: all } : {});
  }

  /** The problems carried (one for an error thrown with a single field). */
  get problems(): FieldProblem[] {
    return (this.extensions.fields as FieldProblem[] | undefined) ?? [];
  }
}

/**
 * Why a request is not authenticated, so a client's error link can act on it: refresh the
 * access token on TOKEN_EXPIRED only; sign in again on SESSION_ENDED or TOKEN_INVALID; show the
 * sign-in form on SIGN_IN_REQUIRED; say "wrong e-mail or password" on WRONG_CREDENTIALS.
 */
export type UnauthenticatedReason = 'TOKEN_EXPIRED' | 'SESSION_ENDED' | 'TOKEN_INVALID' | 'SIGN_IN_REQUIRED' | 'WRONG_CREDENTIALS';

export class UnauthenticatedError extends AppError {
  constructor(message = 'You must be signed in to do this.', reason: UnauthenticatedReason = 'SIGN_IN_REQUIRED') {
    super(message, 'UNAUTHENTICATED', { reason });
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do this.') {
    super(message, 'FORBIDDEN');
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id?: string) {
    super(id ? `${what} ${id} was not found.` : `${what} was not found.`, 'NOT_FOUND');
  }
}

export class ConflictError extends AppError {
  constructor(message: string, field?: string) {
    super(message, 'CONFLICT', field ? { field } : {});
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number, message = 'Too many attempts. Try again later.') {
    super(message, 'RATE_LIMITED', { retryAfterSeconds });
  }
}

/**
 * A part of the service could not answer (see UnavailableCode). `subgraph` names the part outside
 * production only (formatError drops it when masking).
 */
export class UnavailableError extends AppError {
  constructor(message: string, code: UnavailableCode, extensions: { subgraph?: string } & Record<string, unknown> = {}) {
    super(message, code, { ...extensions, retryable: code !== 'SUBGRAPH_REQUEST_TOO_LARGE' });
  }
}

/** The codes of expected failures: a verdict on the caller or its input, never an internal fault. */
export const CLIENT_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
]);

const PASS_THROUGH = new Set<string>([
  ...CLIENT_ERROR_CODES,
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_NOT_ALLOWED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  // An operation over a cost or response-size limit (router/src/cost.ts, response-size.ts).
  'OPERATION_TOO_COMPLEX',
  'SUBGRAPH_UNAVAILABLE',
  'SERVICE_UNAVAILABLE',
  'SUBGRAPH_REQUEST_TOO_LARGE',
]);

/** Extensions that name our internals (which subgraph), dropped from errors in production. */
// `response` is what @apollo/gateway attaches to a subgraph's non-2xx answer: its URL, status and body.
const INTERNAL_NAMES = ['subgraph', 'serviceName', 'response'];

/**
 * `formatError` for every server: expected errors pass through without a stack trace; anything
 * else is logged by the caller and masked, so internals (SQL, paths) never reach a client.
 * A failed variable coercion is the client's input at fault, so it answers BAD_USER_INPUT.
 */
export function formatError(formatted: GraphQLFormattedError, mask: boolean): GraphQLFormattedError {
  const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  const { stacktrace: _drop, ...extensions } = formatted.extensions ?? {};
  if (PASS_THROUGH.has(code)) {
    if (mask) for (const name of INTERNAL_NAMES) delete extensions[name];
    return { ...formatted, extensions: { ...extensions, code } };
  }
  if (!mask) return { ...formatted, extensions: { ...extensions, code } };
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

/** True for errors a client caused (no need to log them as failures). */
export function isExpectedError(error: unknown): boolean {
  // An unavailable part of the service is no verdict on the caller: it is logged.
  return error instanceof AppError && CLIENT_ERROR_CODES.has(error.code);
}
