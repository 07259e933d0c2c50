/**
 * Composes the supergraph from the subgraphs' SDL files with @apollo/composition and writes
 * schema/supergraph.graphql (what the router serves) and schema/api.graphql (what clients and
 * codegen see). `--check` writes nothing and fails when the committed files are stale.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse, printSchema } from 'graphql';
import { readSdl, readSubgraphConfig, repoRoot } from '@fashionistar/shared';

/** The files composition produces, by path relative to the repo root. */
export function composeSupergraph(
  sdlOverrides: Record<string, string> = {},
  root = repoRoot(),
  /** Compose these instead of the configured subgraphs (tests composing other supergraphs). */
  subgraphs?: Array<{ name: string; url: string; sdl: string }>,
): Record<string, string> {
  const list =
    subgraphs ?? readSubgraphConfig(root).map((s) => ({ name: s.name, url: s.routingUrl, sdl: sdlOverrides[s.name] ?? readSdl(s, root) }));
  const services = list.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) }));
  const result = composeServices(services);
  if (result.errors) throw new Error(`composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  return {
    'schema/supergraph.graphql': result.supergraphSdl.trimEnd() + '\n',
    'schema/api.graphql': printSchema(result.schema.toAPISchema().toGraphQLJSSchema()) + '\n',
  };
}

/** Paths whose committed content differs from `outputs`. */
export function staleFiles(outputs: Record<string, string>, root = repoRoot()): string[] {
  return Object.entries(outputs)
    .filter(([file, text]) => {
      const path = join(root, file);
      return !existsSync(path) || readFileSync(path, 'utf8') !== text;
    })
    .map(([file]) => file);
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  const root = repoRoot();
  const outputs = composeSupergraph({}, root);
  const stale = staleFiles(outputs, root);
  if (check) {
    for (const f of stale) console.error(`${f} is stale: run npm run compose`);
    if (stale.length) process.exit(1);
    console.log('supergraph is up to date');
  } else {
    for (const f of stale) {
      writeFileSync(join(root, f), outputs[f]!);
      console.log(`wrote ${f}`);
    }
  }
}
