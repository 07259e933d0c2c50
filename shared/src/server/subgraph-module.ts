import type { Infra } from '../infra/types';
import type { Logger } from '../logger';
import type { MessageProviders } from '../messaging/providers';
import type { RunningServer } from './subgraph-server';

/**
 * What each subgraph package exports as `subgraph`, so the all-in-one launcher (`npm start`)
 * and tests can start any subgraph listed in schema/subgraphs.json without knowing it.
 */
export interface SubgraphModule {
  name: string;
  start(o: SubgraphStartOptions): Promise<RunningServer & { drain?: () => Promise<void> }>;
}

export interface SubgraphStartOptions {
  databaseUrl: string;
  infra: Infra;
  log: Logger;
  providers: MessageProviders;
  env: NodeJS.ProcessEnv;
  /** Overrides the subgraph's configured port (0 = any free port). */
  port?: number;
  /**
   * Subgraph name → GraphQL URL of the others, for internal calls. Read at call time: the
   * launcher may fill it after every subgraph is listening (tests use free ports).
   */
  peers: Record<string, string>;
}
