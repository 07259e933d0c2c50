/**
 * Composes the supergraph from the subgraphs' SDL files with @apollo/composition and writes
 * schema/supergraph.graphql (what the router serves) and schema/api.graphql (what clients see).
 * `--check` writes nothing and fails when the committed files are stale.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse, printSchema } from 'graphql';
import { readSdl, readSubgraphConfig, repoRoot } from '@fashionistar/shared/src/composition-config';

const ROOT = repoRoot();

const check = process.argv.includes('--check');
const services = readSubgraphConfig().map((s) => ({ name: s.name, url: s.routingUrl, typeDefs: parse(readSdl(s)) }));
const result = composeServices(services);
if (result.errors) {
  for (const e of result.errors) console.error(`composition error: ${e.message}`);
  process.exit(1);
}
for (const hint of result.hints ?? []) console.warn(`composition hint: ${hint.toString()}`);

const outputs: Record<string, string> = {
  'schema/supergraph.graphql': result.supergraphSdl.trimEnd() + '\n',
  'schema/api.graphql': printSchema(result.schema.toAPISchema().toGraphQLJSSchema()) + '\n',
};
let stale = 0;
for (const [file, text] of Object.entries(outputs)) {
  const path = join(ROOT, file);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (current === text) continue;
  if (check) {
    console.error(`${file} is stale: run npm run compose`);
    stale++;
  } else {
    writeFileSync(path, text);
    console.log(`wrote ${file}`);
  }
}
if (stale) process.exit(1);
if (check) console.log('supergraph is up to date');
