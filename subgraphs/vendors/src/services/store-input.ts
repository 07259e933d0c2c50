import { BadUserInputError, normalizeEmail, normalizePhone, optionalText, requireText, validateAll } from '@fashionistar/shared';
import { WEEKDAYS, type BusinessHours, type Weekday } from '../entities/vendor.entity';

/**
 * Input rules for a store's profile, shared by apply and update. Each failure is BAD_USER_INPUT
 * naming the field (a dotted path into lists, e.g. `businessHours.1.closes`), thrown before any
 * write so a bad request leaves nothing behind; services collect them (`Problems`) under paths
 * relative to their arguments (`input.name`).
 */

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export const validName = (raw: string | null | undefined): string => requireText(raw, 'name', 100);

export const validDescription = (raw: string | null | undefined): string | null => optionalText(raw, 'description', 2000);

/** An absolute https URL (logos and documents are served to browsers, never over plain http). */
export function validHttpsUrl(raw: string | null | undefined, field: string): string | null {
  const v = optionalText(raw, field, 2000);
  if (v === null) return null;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new BadUserInputError(`${field} must be an absolute https URL.`, field);
  }
  if (url.protocol !== 'https:' || !url.hostname) throw new BadUserInputError(`${field} must be an absolute https URL.`, field);
  return url.toString();
}

export function validEmail(raw: string | null | undefined): string | null {
  return optionalText(raw, 'contactEmail', 254) === null ? null : normalizeEmail(raw!, 'contactEmail');
}

export function validPhone(raw: string | null | undefined): string | null {
  return optionalText(raw, 'contactPhone', 30) === null ? null : normalizePhone(raw!, 'contactPhone');
}

/**
 * Each day at most once, closing after opening; answered Monday first whatever the input order.
 * Every problem of the list is reported at once, under `path` (e.g. `input.businessHours.1.closes`).
 */
export function validHours(raw: ReadonlyArray<{ day: Weekday; opens: string; closes: string }>, path = 'businessHours'): BusinessHours[] {
  const seen = new Set<Weekday>();
  return validateAll((p) =>
    raw
      .map((h, i) => {
        const at = `${path}.${i}`;
        if (!WEEKDAYS.includes(h.day)) p.add(`${at}.day`, `${at}.day must be a weekday.`);
        else if (seen.has(h.day)) p.add(`${at}.day`, `${h.day} is listed twice.`);
        seen.add(h.day);
        const opens = h.opens.trim();
        const closes = h.closes.trim();
        if (!TIME.test(opens)) p.add(`${at}.opens`, 'Use a 24-hour time such as 09:00.');
        if (!TIME.test(closes)) p.add(`${at}.closes`, 'Use a 24-hour time such as 18:00.');
        // "HH:MM" strings compare in time order.
        else if (TIME.test(opens) && closes <= opens) p.add(`${at}.closes`, 'A day must close after it opens.');
        return { day: h.day, opens, closes };
      })
      .sort((a, b) => WEEKDAYS.indexOf(a.day) - WEEKDAYS.indexOf(b.day)),
  );
}

/**
 * A commission rate: a decimal in 0..1 with at most 4 places, normalized to numeric(5,4)'s text
 * ("0.15" → "0.1500") so a stored rate compares equal to the same rate given again.
 */
export function validRate(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const m = /^(\d{1,3})(?:\.(\d{1,4}))?$/.exec(raw.trim());
  const scaled = m ? Number(m[1]) * 10_000 + Number((m[2] ?? '').padEnd(4, '0')) : NaN;
  if (!m || scaled > 10_000)
    throw new BadUserInputError('rate must be a decimal from 0 to 1 with at most 4 places, e.g. "0.0750".', 'rate');
  return `${Math.floor(scaled / 10_000)}.${String(scaled % 10_000).padStart(4, '0')}`;
}

/**
 * The URL name of a store: ASCII lower-case words joined by dashes ("Àṣọ-Òkè House" →
 * "aso-oke-house"). Names with no Latin letters or digits fall back to "store".
 */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'store';
}
