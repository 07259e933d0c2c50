/**
 * A small typed GraphQL client for browsers and Node, the way the README's "For frontend teams"
 * section recommends using the API:
 * - one request function typed by the documents codegen makes;
 * - on UNAUTHENTICATED with reason TOKEN_EXPIRED (and only then) it refreshes once and retries;
 * - one refresh in flight per session, across tabs with Web Locks where the platform has them
 *   (a second concurrent use of a refresh token counts as theft and ends the session);
 * - web mode keeps the refresh token in the HttpOnly cookie (`credentials: 'include'`), app mode
 *   keeps it in memory and sends it in the body;
 * - optionally it sends only each document's hash (codegen's `persistedDocuments`), as a router
 *   with an allow-list requires, and the text only when the router does not know the hash.
 */
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Refresh, SignIn, SignOut } from './operations';

export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; reason?: string; field?: string; fields?: Array<{ path: string; message: string }> };
}

/** An operation's errors, thrown when it produced no data. */
export class ApiError extends Error {
  constructor(readonly errors: GraphQLErrorShape[]) {
    super(errors[0]?.message ?? 'GraphQL request failed');
  }
  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }
  get reason(): string | undefined {
    return this.errors[0]?.extensions?.reason;
  }
}

export interface ClientOptions {
  /** The router's /graphql URL. */
  url: string;
  /** `cookie`: browsers (refresh token in the HttpOnly cookie); `body`: apps (kept in memory here). */
  refreshTokenIn: 'cookie' | 'body';
  /** Names this client in the router's logs (`apollographql-client-name`). */
  clientName?: string;
  /**
   * Send the hash codegen put in each document (`__meta__.hash`) instead of its text, as the
   * `persistedQuery` extension; on PERSISTED_QUERY_NOT_FOUND/NOT_SUPPORTED send the text instead.
   */
  persistedDocuments?: boolean;
}

/** The sha256 hex codegen's client preset (`persistedDocuments`) put on a document, if any. */
function persistedHash(doc: unknown): string | undefined {
  const hash = (doc as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  return typeof hash === 'string' ? hash.replace(/^sha256:/, '') : undefined;
}

/** Web Locks, where the platform has them (browsers; not Node 20). */
interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

export function createClient(o: ClientOptions) {
  let accessToken: string | null = null;
  let refreshToken: string | null = null;
  let refreshing: Promise<void> | null = null;

  async function post<R, V>(doc: TypedDocumentNode<R, V>, variables: V | undefined, token: string | null) {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'apollographql-client-name': o.clientName ?? 'example' };
    if (token) headers.authorization = `Bearer ${token}`;
    const send = async (body: object) => {
      const res = await fetch(o.url, {
        method: 'POST',
        headers,
        credentials: o.refreshTokenIn === 'cookie' ? 'include' : 'same-origin',
        body: JSON.stringify({ ...body, variables }),
      });
      return (await res.json()) as { data?: R | null; errors?: GraphQLErrorShape[] };
    };
    const sha256Hash = o.persistedDocuments ? persistedHash(doc) : undefined;
    if (sha256Hash) {
      const answer = await send({ extensions: { persistedQuery: { version: 1, sha256Hash } } });
      const unknown = answer.errors?.some((e) => /^PERSISTED_QUERY_NOT_(FOUND|SUPPORTED)$/.test(e.extensions?.code ?? ''));
      if (!unknown) return answer;
    }
    return send({ query: print(doc) });
  }

  /** Runs a document; answers its data or throws ApiError. Refreshes once on TOKEN_EXPIRED. */
  async function request<R, V>(doc: TypedDocumentNode<R, V>, variables?: V): Promise<R> {
    let answer = await post(doc, variables, accessToken);
    if (answer.errors?.some((e) => e.extensions?.reason === 'TOKEN_EXPIRED')) {
      await refresh();
      answer = await post(doc, variables, accessToken);
    }
    if (!answer.data) throw new ApiError(answer.errors ?? []);
    return answer.data;
  }

  /** Gets a new access token; concurrent callers (and, with Web Locks, other tabs) share one refresh. */
  function refresh(): Promise<void> {
    refreshing ??= withLock('fashionistar-refresh', async () => {
      // Sent without the access token: refresh needs none (and must not retry itself).
      const answer = await post(Refresh, { refreshToken: o.refreshTokenIn === 'body' ? refreshToken : null }, null);
      if (!answer.data) throw new ApiError(answer.errors ?? []);
      const data = answer.data;
      accessToken = data.refresh.accessToken;
      if (o.refreshTokenIn === 'body') refreshToken = data.refresh.refreshToken ?? null;
    }).finally(() => (refreshing = null));
    return refreshing;
  }

  return {
    request,
    refresh,
    async signIn(email: string, password: string) {
      const data = await request(SignIn, { email, password, refreshTokenIn: o.refreshTokenIn === 'cookie' ? 'COOKIE' : 'BODY' });
      accessToken = data.login.accessToken;
      refreshToken = data.login.refreshToken ?? null;
      return data.login.user;
    },
    async signOut() {
      await request(SignOut, { refreshToken: o.refreshTokenIn === 'body' ? refreshToken : null });
      accessToken = refreshToken = null;
    },
    /** An app restoring a session it kept in secure storage (body mode); the access token may have expired. */
    restore(tokens: { accessToken: string | null; refreshToken: string | null }) {
      accessToken = tokens.accessToken;
      refreshToken = tokens.refreshToken;
    },
    /** For tests and devtools: what this client holds in memory (never the cookie). */
    get tokens() {
      return { accessToken, refreshToken };
    },
  };
}

function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return locks ? locks.request(name, fn) : fn();
}
