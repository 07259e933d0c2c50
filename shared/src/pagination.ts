import { BadUserInputError } from './errors';

/**
 * Relay-style connections with keyset cursors: a cursor encodes the sort key of its row plus the
 * row id as tiebreaker, so pages stay stable when rows are inserted before them (an offset would
 * shift) and seeded rows sharing a timestamp still have a total order.
 */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Connection<T> {
  edges: Array<{ node: T; cursor: string }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** A page size in 1..max (default `fallback`); anything else is BAD_USER_INPUT on `first`. */
export function pageSize(first: number | null | undefined, max = 100, fallback = 20): number {
  if (first === null || first === undefined) return fallback;
  if (!Number.isInteger(first) || first < 1 || first > max) throw new BadUserInputError(`first must be between 1 and ${max}.`, 'first');
  return first;
}

/** Encodes a keyset position: the sort key values and the id. */
export function encodeCursor(key: Array<string | number | null>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor made by `encodeCursor` with `length` values, or throws BAD_USER_INPUT on `after`. */
export function decodeCursor(cursor: string, length: number): Array<string | number | null> {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === length && v.every((x) => x === null || typeof x === 'string' || typeof x === 'number')) return v;
  } catch {
    // fall through
  }
  throw new BadUserInputError('This cursor is not valid here.', 'after');
}

/** Builds a connection from `limit + 1` fetched rows. */
export function toConnection<T>(rows: T[], limit: number, totalCount: number, cursorOf: (row: T) => string): Connection<T> {
  const page = rows.slice(0, limit);
  const edges = page.map((node) => ({ node, cursor: cursorOf(node) }));
  return { edges, pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null }, totalCount };
}
