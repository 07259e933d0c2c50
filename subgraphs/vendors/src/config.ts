import { bool, commonSpec, int, loadConfig, str, type ConfigOf } from '@fashionistar/shared';

/** Everything the vendors subgraph reads from the environment. */
export const vendorsSpec = {
  ...commonSpec,
  VENDORS_PORT: int('port of the vendors subgraph', 4003, 0, 65535),
  VENDORS_HOST: str('interface the vendors subgraph binds', '127.0.0.1'),
  SEED: bool('seed demo data at start (never in production)', true),
};

export type VendorsConfig = ConfigOf<typeof vendorsSpec>;

export function loadVendorsConfig(env: NodeJS.ProcessEnv = process.env): VendorsConfig {
  return loadConfig(vendorsSpec, env);
}
