import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext as ApolloBaseContext, type HTTPGraphQLResponse } from '@apollo/server';

/** Largest request body accepted, in bytes (1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {}

/** Reads and JSON-parses a request body (empty body → undefined). */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(`request body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  return type.includes('json') ? JSON.parse(text) : text;
}

/** A `\u0000` or `\u{0}` escape in GraphQL source text (not one whose backslash is itself escaped). */
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|\{0+\})/i;

/**
 * Whether a GraphQL request carries a NUL character: in any variable (at any depth), or in the
 * document, raw or as a `\u0000` escape in a string literal (POST body or GET `query`). Postgres
 * refuses NUL in text, so such input could only ever fail deep inside a write, as an internal
 * error; it is refused at the door instead, one rule for every operation. Iterative, so a deeply
 * nested body cannot blow the stack.
 */
export function carriesNul(body: unknown, searchParams?: URLSearchParams): boolean {
  const documents = [(body as { query?: unknown } | undefined)?.query, searchParams?.get('query'), searchParams?.get('variables')];
  if (documents.some((d) => typeof d === 'string' && NUL_ESCAPE.test(d))) return true;
  const stack: unknown[] = [body, ...(searchParams ? [...searchParams.values()] : [])];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return true;
    } else if (v && typeof v === 'object') {
      for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push(child);
    }
  }
  return false;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A GraphQL-shaped error response (request-level failures: auth, body, secret). */
export function sendGraphQLError(
  res: ServerResponse,
  status: number,
  message: string,
  code: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] }, headers);
}

export function headerMapOf(req: IncomingMessage): HeaderMap {
  const map = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) map.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return map;
}

/** Hands one HTTP request to Apollo Server and writes its answer. */
export async function executeApollo<C extends ApolloBaseContext>(
  server: ApolloServer<C>,
  req: IncomingMessage,
  res: ServerResponse,
  context: () => Promise<C>,
  beforeWrite?: () => void,
): Promise<void> {
  let body: unknown;
  try {
    body = req.method === 'POST' ? await readJsonBody(req) : undefined;
  } catch (e) {
    const tooLarge = e instanceof BodyTooLargeError;
    return sendGraphQLError(
      res,
      tooLarge ? 413 : 400,
      tooLarge ? 'Request body too large.' : 'Request body is not valid JSON.',
      'BAD_REQUEST',
      // The rest of an oversized body was never read: the connection cannot carry another request.
      tooLarge ? { connection: 'close' } : {},
    );
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (carriesNul(body, url.searchParams)) {
    return sendGraphQLError(res, 400, 'Text must not contain NUL characters (\\u0000).', 'BAD_USER_INPUT');
  }
  const response = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers: headerMapOf(req), search: url.search, body },
    context,
  });
  beforeWrite?.();
  await writeApolloResponse(res, response);
}

async function writeApolloResponse(res: ServerResponse, response: HTTPGraphQLResponse): Promise<void> {
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** The client address: the socket peer (the router overrides it with its forwarded header). */
export function peerAddress(req: IncomingMessage): string | null {
  return req.socket.remoteAddress ?? null;
}
