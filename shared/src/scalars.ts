import { GraphQLScalarType, Kind } from 'graphql';
import { BadUserInputError } from './errors';

/** `DateTime`: ISO 8601 instants. A malformed input is the client's fault: BAD_USER_INPUT. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize: (v) => {
    const d = v instanceof Date ? v : new Date(String(v));
    if (Number.isNaN(d.getTime())) throw new TypeError('DateTime cannot represent an invalid date');
    return d.toISOString();
  },
  parseValue: (v) => parseDate(v),
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : null),
});

function parseDate(v: unknown): Date {
  const d = typeof v === 'string' ? new Date(v) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new BadUserInputError('Expected an ISO 8601 date-time string.');
  return d;
}

/** Merges resolver maps per type (one file per aggregate, one map per subgraph). */
export function mergeResolvers<R extends object>(parts: R[], base: Record<string, unknown> = {}): R {
  const out: Record<string, unknown> = { ...base };
  for (const part of parts) {
    for (const [type, fields] of Object.entries(part)) {
      out[type] = { ...((out[type] as object | undefined) ?? {}), ...(fields as object) };
    }
  }
  return out as R;
}
