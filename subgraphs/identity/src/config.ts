import { bool, commonSpec, int, loadConfig, str, type ConfigOf } from '@fashionistar/shared';

/** Everything the identity subgraph reads from the environment. */
export const identitySpec = {
  ...commonSpec,
  IDENTITY_PORT: int('port of the identity subgraph', 4001, 0, 65535),
  IDENTITY_HOST: str('interface the identity subgraph binds', '127.0.0.1'),
  JWT_KEYS_DIR: str('directory of ES256 signing keys (PEM); dev keys are generated here', '.data/keys'),
  JWT_ISSUER: str('`iss` of access tokens', 'fashionistar-identity'),
  JWT_AUDIENCE: str('`aud` of access tokens', 'fashionistar'),
  JWT_KEY_ACTIVATION_SECONDS: int(
    'age a new signing key must reach before it signs (it is published in the JWKS at once); until then the previous key signs',
    600,
    0,
  ),
  ACCESS_TOKEN_TTL_SECONDS: int('access token lifetime', 900, 60, 86400),
  REFRESH_TOKEN_TTL_DAYS: int('refresh token (session) lifetime', 30, 1, 365),
  REFRESH_REUSE_GRACE_SECONDS: int(
    'seconds after a refresh during which the same refresh token, presented again, answers the same new pair instead of ending the session (0 = off)',
    0,
    0,
    60,
  ),
  LOGIN_FAILURE_LIMIT: int('failed sign-ins per account within the window before RATE_LIMITED', 5, 1),
  LOGIN_FAILURE_WINDOW_SECONDS: int('window of the per-account failure limit', 900, 1),
  AUTH_ATTEMPTS_PER_IP: int('auth attempts (sign-in, sign-up, codes, resets) per client IP per window', 30, 1),
  AUTH_IP_WINDOW_SECONDS: int('window of the per-IP limit', 60, 1),
  OTP_TTL_SECONDS: int('lifetime of an SMS code', 600, 60),
  OTP_MAX_ATTEMPTS: int('wrong entries before an SMS code is dead', 5, 1),
  OTP_SENDS_PER_WINDOW: int('SMS codes sent to one phone per window', 3, 1),
  OTP_SEND_WINDOW_SECONDS: int('window of the per-phone send limit', 900, 1),
  IDENTITY_SECRET: str('server secret keying the HMAC of stored SMS codes', 'dev-identity-secret-change-me', { devOnlyDefault: true }),
  APP_URL: str('front-end base URL used in e-mailed links', 'http://localhost:3000'),
  SEED: bool('seed demo data at start (never in production)', true),
};

export type IdentityConfig = ConfigOf<typeof identitySpec>;

export function loadIdentityConfig(env: NodeJS.ProcessEnv = process.env): IdentityConfig {
  return loadConfig(identitySpec, env);
}
