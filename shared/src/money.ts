import { GraphQLScalarType, Kind } from 'graphql';
import { BadUserInputError } from './errors';

/**
 * Money is integer minor units (kobo for NGN) in storage and arithmetic, and a decimal string
 * ("12500.00") on the wire: never a float anywhere.
 */
export const CURRENCY = 'NGN';

/** The largest amount we accept in one price: ₦100,000,000.00. */
export const MAX_KOBO = 10_000_000_000;

/**
 * Parses a decimal string ("12500", "12500.5", "12500.00") into kobo, or throws BAD_USER_INPUT
 * naming `field`. Negative amounts are refused unless `allowNegative`.
 */
export function parseKobo(
  raw: string | number | null | undefined,
  field: string,
  o: { allowNegative?: boolean; max?: number } = {},
): number {
  const text = typeof raw === 'number' ? String(raw) : (raw ?? '').trim();
  const m = /^(-)?(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) throw new BadUserInputError(`${field} must be an amount like "12500.00".`, field);
  const kobo = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  const value = m[1] ? -kobo : kobo;
  if (value < 0 && !o.allowNegative) throw new BadUserInputError(`${field} cannot be negative.`, field);
  if (Math.abs(value) > (o.max ?? MAX_KOBO)) throw new BadUserInputError(`${field} is too large.`, field);
  return value;
}

/** Formats kobo as a decimal string with two places: 1250000 → "12500.00". */
export function formatKobo(kobo: number | string | bigint): string {
  const n = BigInt(kobo);
  const sign = n < 0n ? '-' : '';
  const abs = n < 0n ? -n : n;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** The GraphQL shape of an amount. */
export interface MoneyValue {
  amount: string;
  currency: string;
}

export const money = (kobo: number | string | bigint, currency = CURRENCY): MoneyValue => ({ amount: formatKobo(kobo), currency });

/**
 * `Decimal`: a decimal number as a string. Parsing only checks the shape; services apply the
 * field's own rules (sign, range) and answer BAD_USER_INPUT naming the field.
 */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  serialize: (v) => String(v),
  parseValue: (v) => {
    if (typeof v !== 'string' && typeof v !== 'number') throw new BadUserInputError('Expected a decimal string such as "12500.00".');
    return String(v);
  },
  parseLiteral: (ast) => {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return ast.value;
    throw new BadUserInputError('Expected a decimal string such as "12500.00".');
  },
});
