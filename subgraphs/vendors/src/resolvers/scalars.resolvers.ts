import { GraphQLScalarType, Kind } from 'graphql';
import { BadUserInputError } from '@fashionistar/shared';

export { DecimalScalar as Decimal } from '@fashionistar/shared';

/** ISO 8601 instants. A malformed input is the client's fault: BAD_USER_INPUT. */
export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize: (v) => {
    const d = v instanceof Date ? v : new Date(String(v));
    if (Number.isNaN(d.getTime())) throw new TypeError('DateTime cannot represent an invalid date');
    return d.toISOString();
  },
  parseValue: (v) => parse(v),
  parseLiteral: (ast) => parse(ast.kind === Kind.STRING ? ast.value : null),
});

function parse(v: unknown): Date {
  const d = typeof v === 'string' ? new Date(v) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new BadUserInputError('Expected an ISO 8601 date-time string.');
  return d;
}
