import { randomBytes } from 'node:crypto';
import { BadUserInputError, isUuid, optionalText, parseKobo, requireText, type Problems } from '@fashionistar/shared';

/**
 * Input rules of the catalog. Each validator throws BAD_USER_INPUT naming the field in its
 * message; services run them through a `Problems` collector (`p.check('input.price', …)`), which
 * files each problem under its path relative to the operation's arguments, so one answer lists
 * every mistake of a form. The limits here are the ones the SDL descriptions state.
 */

export const positivePrice = (raw: string, field: string): number => {
  const kobo = parseKobo(raw, field);
  if (kobo <= 0) throw new BadUserInputError(`${field} must be more than zero.`, field);
  return kobo;
};

export function stockCount(raw: number | null | undefined, field = 'stock'): number {
  const v = raw ?? 0;
  if (!Number.isInteger(v) || v < 0 || v > 1_000_000)
    throw new BadUserInputError(`${field} must be a whole number from 0 to 1,000,000.`, field);
  return v;
}

export function leadDays(raw: number | null | undefined): number | null {
  if (raw === null || raw === undefined) return null;
  if (!Number.isInteger(raw) || raw < 0 || raw > 365)
    throw new BadUserInputError('tailoringLeadDays must be 0 to 365.', 'tailoringLeadDays');
  return raw;
}

/** Tags are lower-cased, trimmed and de-duplicated; at most 20 of 40 characters each. */
export function tagList(raw: string[] | null | undefined): string[] {
  const tags = [...new Set((raw ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean))];
  if (tags.length > 20) throw new BadUserInputError('At most 20 tags.', 'tags');
  if (tags.some((t) => t.length > 40)) throw new BadUserInputError('Tags are at most 40 characters.', 'tags');
  return tags;
}

export function imageUrl(raw: string, field: string): string {
  const url = requireText(raw, field, 2000);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BadUserInputError(`${field} must be an http(s) URL.`, field);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new BadUserInputError(`${field} must be an http(s) URL.`, field);
  return url;
}

export const title = (raw: string) => {
  const v = requireText(raw, 'title', 200);
  if (v.length < 3) throw new BadUserInputError('title must be at least 3 characters.', 'title');
  return v;
};

export const description = (raw: string) => requireText(raw, 'description', 10_000);

export const label = (raw: string | null | undefined, field: string) => optionalText(raw, field, 40);

/** A uuid given by the client, or BAD_USER_INPUT naming `field` (an unknown id is the same error). */
export function idOf(raw: string, field: string): string {
  if (!isUuid(raw)) throw new BadUserInputError(`${field} does not name anything that exists.`, field);
  return raw;
}

/** A URL-safe slug from a name: ASCII lower case and dashes. */
export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return s || 'item';
}

/**
 * One field of an update input that cannot be cleared: absent (undefined) keeps the value, null
 * is a problem at `path`, anything else is parsed. Answers undefined unless a valid value was given.
 */
export function kept<T, R>(p: Problems, value: T | null | undefined, path: string, parse: (v: T) => R): R | undefined {
  if (value === undefined) return undefined;
  if (value === null) {
    p.add(path, `${path.split('.').at(-1)} cannot be cleared; leave it out to keep it.`);
    return undefined;
  }
  return p.check(path, () => parse(value));
}

/**
 * One field of an update input that may be cleared: absent keeps (undefined), null clears (null),
 * anything else is parsed; an invalid value is recorded in `p` and answers undefined.
 */
export function clearable<T, R>(p: Problems, value: T | null | undefined, path: string, parse: (v: T) => R): R | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  return p.check(path, () => parse(value));
}

/** A variant's options as compared for uniqueness: case-insensitive, a missing one a value of its own. */
export const optionsKey = (size: string | null, colour: string | null): string =>
  JSON.stringify([(size ?? '').toLowerCase(), (colour ?? '').toLowerCase()]);

export interface VariantFields {
  size: string | null;
  colour: string | null;
  sku: string;
  priceDeltaKobo: string;
  stock: number;
}

/**
 * A variant's columns from its input, every problem recorded under `path` (e.g. `input` or
 * `input.variants.2`); undefined when any part is wrong. `priceKobo` undefined (the product price
 * is itself invalid) skips the price + priceDelta check.
 */
export function variantFields(
  p: Problems,
  input: { size?: string | null; colour?: string | null; sku?: string | null; priceDelta?: string | null; stock?: number | null },
  path: string,
  priceKobo: number | undefined,
): VariantFields | undefined {
  const size = p.check(`${path}.size`, () => label(input.size, 'size'));
  const colour = p.check(`${path}.colour`, () => label(input.colour, 'colour'));
  if (size === null && colour === null) p.add(`${path}.size`, 'A variant needs a size or a colour.');
  const delta = p.check(`${path}.priceDelta`, () =>
    input.priceDelta ? parseKobo(input.priceDelta, 'priceDelta', { allowNegative: true }) : 0,
  );
  if (delta !== undefined && priceKobo !== undefined && priceKobo + delta <= 0)
    p.add(`${path}.priceDelta`, 'The variant price (price + priceDelta) must stay above zero.');
  const sku = p.check(`${path}.sku`, () => optionalText(input.sku, 'sku', 64)?.toUpperCase() ?? generatedSku());
  const stock = p.check(`${path}.stock`, () => stockCount(input.stock, 'stock'));
  if (size === undefined || colour === undefined || (size === null && colour === null)) return undefined;
  if (delta === undefined || sku === undefined || stock === undefined) return undefined;
  if (priceKobo !== undefined && priceKobo + delta <= 0) return undefined;
  return { size, colour, sku, priceDeltaKobo: String(delta), stock };
}

export const generatedSku = () => `FS-${randomBytes(5).toString('hex').toUpperCase()}`;
