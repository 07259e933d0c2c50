import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
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

/**
 * `JSON`: any JSON value (object, array, string, number, boolean or null) sent as itself, not as
 * JSON-encoded text, for values whose shape varies by row (e.g. an audited field's before and
 * after). Output values pass through unchanged; a literal in a document is read as the value it
 * spells; a variable is taken as given (it is JSON already). Declare it in a subgraph's SDL as
 * `scalar JSON` and map it to this.
 */
export const JSONScalar = new GraphQLScalarType<unknown, unknown>({
  name: 'JSON',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: (ast, variables) => literalValue(ast, variables ?? undefined),
});

function literalValue(ast: ValueNode, variables: Record<string, unknown> | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literalValue(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalValue(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
  }
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
