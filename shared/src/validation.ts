import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { BadUserInputError, type FieldProblem } from './errors';

/**
 * Input rules checked in services (not by GraphQL types), so a bad value answers BAD_USER_INPUT
 * naming the field rather than GRAPHQL_VALIDATION_FAILED.
 */

// Deliberately simple: one @, a dot in the domain, no spaces. Deliverability is proven by the
// verification e-mail, not by a regex.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;

/** Trims and lower-cases an e-mail, or throws BAD_USER_INPUT for `field`. */
export function normalizeEmail(raw: string, field = 'email'): string {
  const email = raw.trim().toLowerCase();
  // Control characters (NUL above all: Postgres refuses it in text) are never part of an address.
  if (email.length > 254 || !EMAIL.test(email) || hasControlCharacters(email))
    throw new BadUserInputError('Enter a valid e-mail address.', field);
  return email;
}

/**
 * Normalizes a phone number to E.164. Numbers without a country code are read as Nigerian
 * (+234). Nigerian numbers must be mobile numbers (what OTP by SMS needs).
 */
export function normalizePhone(raw: string, field = 'phone'): string {
  if (hasControlCharacters(raw)) throw new BadUserInputError('Enter a valid phone number.', field);
  const parsed = parsePhoneNumberFromString(raw.trim(), 'NG');
  if (!parsed || !parsed.isValid()) throw new BadUserInputError('Enter a valid phone number.', field);
  if (parsed.country === 'NG') {
    const type = parsed.getType();
    if (type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') throw new BadUserInputError('Enter a Nigerian mobile number.', field);
  }
  return parsed.number;
}

/** Nigeria's 36 states and the Federal Capital Territory. */
export const NIGERIAN_STATES = [
  'Abia',
  'Adamawa',
  'Akwa Ibom',
  'Anambra',
  'Bauchi',
  'Bayelsa',
  'Benue',
  'Borno',
  'Cross River',
  'Delta',
  'Ebonyi',
  'Edo',
  'Ekiti',
  'Enugu',
  'Gombe',
  'Imo',
  'Jigawa',
  'Kaduna',
  'Kano',
  'Katsina',
  'Kebbi',
  'Kogi',
  'Kwara',
  'Lagos',
  'Nasarawa',
  'Niger',
  'Ogun',
  'Ondo',
  'Osun',
  'Oyo',
  'Plateau',
  'Rivers',
  'Sokoto',
  'Taraba',
  'Yobe',
  'Zamfara',
  'Federal Capital Territory',
] as const;

const STATE_ALIASES: Record<string, string> = {
  fct: 'Federal Capital Territory',
  abuja: 'Federal Capital Territory',
  'abuja fct': 'Federal Capital Territory',
};

/** The canonical name of a Nigerian state (case-insensitive; FCT and Abuja accepted). */
export function normalizeNigerianState(raw: string, field = 'state'): string {
  const key = raw
    .trim()
    .toLowerCase()
    .replace(/\s+state$/, '')
    .replace(/\s+/g, ' ');
  const found = NIGERIAN_STATES.find((s) => s.toLowerCase() === key) ?? STATE_ALIASES[key];
  if (!found) throw new BadUserInputError(`"${raw}" is not a Nigerian state.`, field);
  return found;
}

/**
 * Control characters other than tab, line feed and carriage return: never typed by a person, and
 * NUL is refused by Postgres in text (the HTTP door already answers BAD_USER_INPUT for NUL). Also
 * the C1 controls, the line/paragraph separators and the bidi embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069), which make a name or slug display as something it is not.
 * Zero-width joiners and the plain direction marks stay allowed (emoji sequences, RTL text).
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** True when `v` holds a control character other than tab, LF and CR (see CONTROL). */
export const hasControlCharacters = (v: string): boolean => CONTROL.test(v);

function refuseControlCharacters(v: string, field: string): void {
  if (CONTROL.test(v)) throw new BadUserInputError(`${field} must not contain control characters.`, field);
}

/** A trimmed, non-empty string of at most `max` characters, without control characters (tab, LF, CR allowed). */
export function requireText(raw: string | null | undefined, field: string, max = 200): string {
  const v = (raw ?? '').trim();
  if (!v) throw new BadUserInputError(`${field} is required.`, field);
  if (v.length > max) throw new BadUserInputError(`${field} must be at most ${max} characters.`, field);
  refuseControlCharacters(v, field);
  return v;
}

/** Like requireText, but empty means null. */
export function optionalText(raw: string | null | undefined, field: string, max = 200): string | null {
  const v = (raw ?? '').trim();
  if (!v) return null;
  if (v.length > max) throw new BadUserInputError(`${field} must be at most ${max} characters.`, field);
  refuseControlCharacters(v, field);
  return v;
}

/**
 * The trimmed text of a lookup or search argument (a slug, a search query): may be empty, at most
 * `max` characters, no control characters; BAD_USER_INPUT naming `field` otherwise.
 */
export function lookupText(raw: string | null | undefined, field: string, max = 200): string {
  const v = (raw ?? '').trim();
  if (v.length > max) throw new BadUserInputError(`${field} must be at most ${max} characters.`, field);
  refuseControlCharacters(v, field);
  return v;
}

/** An ISO 3166-1 alpha-2 country code, upper-cased. */
export function normalizeCountry(raw: string | null | undefined, field = 'country'): string {
  const v = (raw ?? 'NG').trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(v)) throw new BadUserInputError('Use a two-letter ISO country code, e.g. NG.', field);
  return v;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a syntactically valid UUID (ids that are not cannot name any row). */
export const isUuid = (v: string): boolean => UUID.test(v);

/** Postgres unique-violation (23505) details, for mapping constraint names to fields. */
export function uniqueViolation(error: unknown): string | null {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e.driverError?.code ?? e.code;
  if (code !== '23505') return null;
  return e.driverError?.constraint ?? e.constraint ?? 'unique';
}

/**
 * Collects every problem with an input before answering, so a form learns all its mistakes in
 * one round trip. Wrap each check in `check` (the kernel's validators throw BadUserInputError;
 * their field becomes the path given here), add others with `add`, then `throwIfAny()`; or use
 * `validateAll` below. Paths are relative to the operation's arguments: `input.email`.
 */
export class Problems {
  private readonly list: FieldProblem[] = [];

  add(path: string, message: string): void {
    this.list.push({ path, message });
  }

  /** Runs `fn`; a BadUserInputError it throws is recorded under `path` (null: its own field) and undefined answered. */
  check<T>(path: string | null, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (error) {
      if (!(error instanceof BadUserInputError)) throw error;
      const problems = error.problems;
      if (problems.length === 0) this.add(path ?? '', error.message);
      else if (path === null) this.list.push(...problems);
      else for (const p of problems) this.add(problems.length === 1 ? path : `${path}.${p.path}`, p.message);
      return undefined;
    }
  }

  get any(): boolean {
    return this.list.length > 0;
  }

  /** Throws one BAD_USER_INPUT carrying every problem (message and `field` of the first). */
  throwIfAny(): void {
    const [first] = this.list;
    if (first) throw new BadUserInputError(first.message, first.path, [...this.list]);
  }
}

/** Runs `fn` with a fresh collector and throws every problem it recorded; otherwise answers fn's result. */
export function validateAll<T>(fn: (p: Problems) => T): T {
  const problems = new Problems();
  const result = fn(problems);
  problems.throwIfAny();
  return result;
}
