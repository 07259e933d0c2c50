import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** One entry of schema/subgraphs.json, the composition config. */
export interface SubgraphConfig {
  name: string;
  /** The loopback URL `npm start` uses; containers override it with `urlEnv`. */
  routingUrl: string;
  urlEnv: string;
  /** Folder of the subgraph's .graphql files, relative to the repo root. */
  sdl: string;
  /** Workspace package exporting `subgraph: SubgraphModule`. */
  package: string;
  /** Event consumers this subgraph runs: consumer name → the event types it handles. */
  consumes?: Record<string, string[]>;
}

/** The repository root: the nearest folder above this file holding schema/subgraphs.json. */
export function repoRoot(from = __dirname): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'schema', 'subgraphs.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('schema/subgraphs.json not found above ' + from);
    dir = up;
  }
  return dir;
}

export function readSubgraphConfig(root = repoRoot()): SubgraphConfig[] {
  return (JSON.parse(readFileSync(join(root, 'schema/subgraphs.json'), 'utf8')) as { subgraphs: SubgraphConfig[] }).subgraphs;
}

/** A subgraph's SDL: its .graphql files in name order, concatenated. */
export function readSdl(config: SubgraphConfig, root = repoRoot()): string {
  const dir = join(root, config.sdl);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

/**
 * Event type → the consumers that must receive it, from every subgraph's `consumes` in
 * schema/subgraphs.json. Declared statically so that an event emitted before its consumer's
 * process has started is still delivered (its queue simply waits).
 */
export function eventRoutes(root?: string): Record<string, string[]> {
  const routes: Record<string, string[]> = {};
  let configs: SubgraphConfig[];
  try {
    configs = readSubgraphConfig(root);
  } catch {
    return routes;
  }
  for (const s of configs) {
    for (const [consumer, types] of Object.entries(s.consumes ?? {})) {
      for (const type of types) (routes[type] ??= []).push(consumer);
    }
  }
  return routes;
}
