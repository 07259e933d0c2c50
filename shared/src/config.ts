/**
 * Validated environment configuration. Each process declares the variables it reads with a
 * default and a parser; `loadConfig` reports every bad variable at once instead of failing on the
 * first, and refuses development defaults for secrets in production.
 */
type Parser<T> = (raw: string) => T;

export interface VarSpec<T> {
  parse: Parser<T>;
  /** Used when the variable is unset; `undefined` with `optional: false` makes it required. */
  default?: T;
  optional?: boolean;
  /** A default that must not be used in production (secrets). */
  devOnlyDefault?: boolean;
  doc: string;
}

export const str = (doc: string, d?: string, extra: Partial<VarSpec<string>> = {}): VarSpec<string> => ({
  parse: (r) => r,
  default: d,
  doc,
  ...extra,
});

export const optionalStr = (doc: string): VarSpec<string | undefined> => ({ parse: (r) => r || undefined, optional: true, doc });

export const int = (doc: string, d?: number, min = 0, max = Number.MAX_SAFE_INTEGER): VarSpec<number> => ({
  parse: (r) => {
    const n = /^-?\d+$/.test(r.trim()) ? Number(r) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`must be an integer in [${min}, ${max}]`);
    return n;
  },
  default: d,
  doc,
});

export const bool = (doc: string, d?: boolean): VarSpec<boolean> => ({
  parse: (r) => {
    if (/^(1|true|yes|on)$/i.test(r)) return true;
    if (/^(0|false|no|off)$/i.test(r)) return false;
    throw new Error('must be true or false');
  },
  default: d,
  doc,
});

export const oneOf = <T extends string>(doc: string, values: readonly T[], d?: T): VarSpec<T> => ({
  parse: (r) => {
    if (!values.includes(r as T)) throw new Error(`must be one of ${values.join(', ')}`);
    return r as T;
  },
  default: d,
  doc,
});

export type Spec = Record<string, VarSpec<unknown>>;
export type ConfigOf<S extends Spec> = { [K in keyof S]: S[K] extends VarSpec<infer T> ? T : never };

export class ConfigError extends Error {}

export function loadConfig<S extends Spec>(spec: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const production = env.NODE_ENV === 'production';
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, v] of Object.entries(spec)) {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      if (v.default !== undefined) {
        if (production && v.devOnlyDefault) problems.push(`${name} must be set in production (${v.doc})`);
        out[name] = v.default;
      } else if (v.optional) out[name] = undefined;
      else problems.push(`${name} is required (${v.doc})`);
      continue;
    }
    try {
      out[name] = v.parse(raw);
    } catch (e) {
      problems.push(`${name} ${(e as Error).message}`);
    }
  }
  if (problems.length) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return out as ConfigOf<S>;
}

/** Variables every process reads. */
export const commonSpec = {
  NODE_ENV: oneOf('runtime mode', ['development', 'test', 'production'] as const, 'development'),
  LOG_LEVEL: oneOf('pino log level', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
  DATABASE_URL: optionalStr('Postgres URL; unset under `npm start` means embedded Postgres'),
  REDIS_URL: optionalStr('Redis URL; unset means in-process queues, pub/sub and rate limits'),
  REDIS_PREFIX: str('prefix of every Redis key and channel, so stacks can share one Redis', 'fsg:'),
  ROUTER_SECRET: str('shared secret the router sends and every subgraph requires', 'dev-router-secret-change-me', {
    devOnlyDefault: true,
  }),
  METRICS_TOKEN: optionalStr('bearer token `/metrics` requires; unset: `/metrics` is open outside production and absent in production'),
};

export type CommonConfig = ConfigOf<typeof commonSpec>;

/** Renders a spec as Markdown table rows (used to keep the README's configuration table honest). */
export function describeSpec(spec: Spec): string[] {
  return Object.entries(spec).map(
    ([name, v]) => `| \`${name}\` | ${v.default === undefined ? '' : `\`${String(v.default)}\``} | ${v.doc} |`,
  );
}
