import { commonSpec, int, loadConfig, oneOf, optionalStr, str, type ConfigOf, type VarSpec } from '@fashionistar/shared/edge';
import { trustedProxyHops } from './client-ip';
import { DEV_CORS_ORIGINS, parseCorsOrigins, type CorsOrigin } from './cors';
import { validCookieDomain } from './refresh-cookie';
import type { PersistedQueriesMode } from './persisted-queries';

/** Everything the router reads from the environment. */
export const routerSpec = {
  ...commonSpec,
  PORT: int('router port', 4000, 0, 65535),
  HOST: str('interface the router binds', '127.0.0.1'),
  SUPERGRAPH_PATH: str('supergraph SDL the router serves', 'schema/supergraph.graphql'),
  JWKS_URL: optionalStr("identity's JWKS; default: the identity subgraph's origin + /.well-known/jwks.json"),
  JWT_ISSUER: str('required `iss` of access tokens', 'fashionistar-identity'),
  JWT_AUDIENCE: str('required `aud` of access tokens', 'fashionistar'),
  MAX_DEPTH: int('deepest selection nesting an operation may have', 12, 1),
  MAX_ALIASES: int('most aliases in one operation', 30, 0),
  MAX_COST: int(
    'largest estimated cost of one operation: each field once per item of the lists around it, a list counting its page size (see Operation limits)',
    50000,
    1,
  ),
  MAX_ROOT_FIELDS: int('most root fields (aliases included) in one operation', 20, 1),
  MAX_DIRECTIVES: int('most directive uses in one document', 50, 0),
  MAX_TOKENS: int('most lexical tokens in one document (parsing stops past it)', 5000, 100),
  MAX_RESPONSE_BYTES: int(
    'largest answer of one operation, in bytes of JSON; larger ones answer OPERATION_TOO_COMPLEX',
    5 * 1024 * 1024,
    1024,
  ),
  TRUST_PROXY: {
    parse: (raw: string) => trustedProxyHops(raw),
    default: 0,
    doc: 'reverse proxies in front of the router (true = 1, or a number): the client IP is the right-most X-Forwarded-For entry they did not add',
  } as VarSpec<number>,
  SUBGRAPH_TIMEOUT_MS: int('timeout of one subgraph fetch', 15000, 100),
  METRICS_PORT: {
    parse: int('', undefined, 0, 65535).parse,
    optional: true,
    doc: 'port of a separate listener (on HOST) serving only /metrics; unset: /metrics on PORT (see METRICS_TOKEN)',
  } as VarSpec<number | undefined>,
  REDIS_TIMEOUT_MS: int(
    'how long the revoked-session check and /health wait for Redis before answering SERVICE_UNAVAILABLE (503) and "unavailable"',
    1000,
    50,
  ),
  CORS_ORIGINS: {
    parse: parseCorsOrigins,
    optional: true,
    doc: `origins (comma-separated scheme://host[:port], "*" only as the port) whose pages may call /graphql with credentials; unset: ${DEV_CORS_ORIGINS} outside production, none in production`,
  } as VarSpec<CorsOrigin[] | undefined>,
  REFRESH_COOKIE_SAMESITE: oneOf('SameSite attribute of the refresh-token cookie', ['Strict', 'Lax', 'None'] as const, 'Strict'),
  REFRESH_COOKIE_DOMAIN: {
    parse: (raw: string) => {
      if (!validCookieDomain(raw)) throw new Error('must be a host name such as example.com');
      return raw.toLowerCase();
    },
    optional: true,
    doc: 'Domain attribute of the refresh-token cookie; unset: the router host only',
  } as VarSpec<string | undefined>,
  // Rate limits and persisted queries: see rate-limit.ts and persisted-queries.ts.
  RATE_LIMIT_PER_IP_PER_MINUTE: int(
    'GraphQL requests (and WebSocket connection_init/subscribe messages) per client IP per minute; 0 = off',
    1200,
    0,
  ),
  RATE_LIMIT_PER_USER_PER_MINUTE: int('GraphQL requests (and WebSocket subscribe messages) per signed-in user per minute; 0 = off', 600, 0),
  PERSISTED_QUERIES: {
    parse: (raw: string) => {
      if (!['off', 'apq', 'allowlist'].includes(raw)) throw new Error('must be one of off, apq, allowlist');
      return raw as PersistedQueriesMode;
    },
    optional: true,
    doc: 'off | apq | allowlist (only the operations of PERSISTED_QUERIES_MANIFEST run); unset: allowlist when a manifest is given, else apq',
  } as VarSpec<PersistedQueriesMode | undefined>,
  PERSISTED_QUERIES_MANIFEST: optionalStr('persisted-documents.json of the client codegen (hash → document), the allow-list'),
};

export type RouterConfig = ConfigOf<typeof routerSpec>;

export const loadRouterConfig = (env: NodeJS.ProcessEnv = process.env): RouterConfig => loadConfig(routerSpec, env);

/** The origins CORS allows: CORS_ORIGINS, else any local dev server outside production and none in it. */
export function corsOrigins(config: Pick<RouterConfig, 'CORS_ORIGINS' | 'NODE_ENV'>): CorsOrigin[] {
  return config.CORS_ORIGINS ?? (config.NODE_ENV === 'production' ? [] : parseCorsOrigins(DEV_CORS_ORIGINS));
}
