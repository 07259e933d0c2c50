import { BadUserInputError, isUuid, optionalText, parseKobo, requireText } from '@fashionistar/shared';

/** Input rules of the catalog, each answering BAD_USER_INPUT with the field's path. */

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
