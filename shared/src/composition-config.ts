import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from './config';

/** One entry of schema/subgraphs.json, the composition config. */
export interface SubgraphConfig {
  name: string;
  /** The loopback URL `npm start` uses; containers override it with `urlEnv`. */
  routingUrl: string;
  /** The variable holding the subgraph's URL in containers (`<NAME>_URL`), read by everything that calls it. */
  urlEnv: string;
  /** Folder of the subgraph's .graphql files, relative to the repo root. */
  sdl: string;
  /** Workspace package exporting `subgraph: SubgraphModule`. */
  package: string;
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

const NAME = /^[a-z][a-z0-9-]*$/;

/** A valid http(s) URL, or the reason it is not. */
function urlProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'is not a string';
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:' ? null : 'is not an http(s) URL';
  } catch {
    return 'is not a URL';
  }
}

/**
 * Reads and validates schema/subgraphs.json. A missing, unparsable or malformed file throws with
 * every problem listed: every process depends on it, so none may start on a guess.
 */
export function readSubgraphConfig(root = repoRoot()): SubgraphConfig[] {
  const path = join(root, 'schema/subgraphs.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${path} cannot be read: ${(error as Error).message}`);
  }
  const list = (parsed as { subgraphs?: unknown })?.subgraphs;
  if (!Array.isArray(list) || list.length === 0) throw new ConfigError(`${path} must have a non-empty "subgraphs" array`);
  const problems: string[] = [];
  const seen = new Set<string>();
  list.forEach((entry: Record<string, unknown>, i) => {
    const at = `subgraphs[${i}]${typeof entry?.name === 'string' ? ` (${entry.name})` : ''}`;
    if (typeof entry !== 'object' || entry === null) return problems.push(`${at} is not an object`);
    if (typeof entry.name !== 'string' || !NAME.test(entry.name)) problems.push(`${at}.name must match ${NAME}`);
    else if (seen.has(entry.name)) problems.push(`${at}.name is repeated`);
    else seen.add(entry.name);
    const bad = urlProblem(entry.routingUrl);
    if (bad) problems.push(`${at}.routingUrl ${bad}`);
    if (typeof entry.urlEnv !== 'string' || !/^[A-Z][A-Z0-9_]*_URL$/.test(entry.urlEnv))
      problems.push(`${at}.urlEnv must look like NAME_URL`);
    for (const key of ['sdl', 'package'] as const)
      if (typeof entry[key] !== 'string' || !entry[key]) problems.push(`${at}.${key} is required`);
    const unknown = Object.keys(entry).filter((k) => !['name', 'routingUrl', 'urlEnv', 'sdl', 'package'].includes(k));
    if (unknown.length) problems.push(`${at} has unknown keys: ${unknown.join(', ')}`);
  });
  if (problems.length) throw new ConfigError(`${path} is invalid:\n  - ${problems.join('\n  - ')}`);
  return list as SubgraphConfig[];
}

/**
 * The subgraph URLs set in the environment: each subgraph's `urlEnv` variable (`IDENTITY_URL`…)
 * when set (containers). The one reader of those variables, for subgraphs calling peers, the
 * router and `npm start`; a set but invalid URL is refused with every problem listed.
 */
export function subgraphUrlOverrides(env: NodeJS.ProcessEnv = process.env, configs = readSubgraphConfig()): Record<string, string> {
  const problems: string[] = [];
  const urls: Record<string, string> = {};
  for (const c of configs) {
    const raw = env[c.urlEnv];
    if (raw === undefined || raw === '') continue;
    const bad = urlProblem(raw);
    if (bad) problems.push(`${c.urlEnv} ${bad}: ${JSON.stringify(raw)}`);
    urls[c.name] = raw;
  }
  if (problems.length) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return urls;
}

/** Subgraph name → GraphQL URL: the environment's (see above), else the loopback `routingUrl`. */
export function subgraphUrls(env: NodeJS.ProcessEnv = process.env, configs = readSubgraphConfig()): Record<string, string> {
  return { ...Object.fromEntries(configs.map((c) => [c.name, c.routingUrl])), ...subgraphUrlOverrides(env, configs) };
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
