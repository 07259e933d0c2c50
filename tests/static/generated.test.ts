import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readSdl, readSubgraphConfig } from '@fashionistar/shared';
import { composeSupergraph, staleFiles } from '../../schema/compose';

describe('generated schema files', () => {
  it('the committed supergraph and API schema match the subgraph SDL', () => {
    assert.deepEqual(staleFiles(composeSupergraph()), []);
  });

  it('a change to a subgraph SDL makes them stale (the check can fail)', () => {
    const identity = readSubgraphConfig().find((s) => s.name === 'identity')!;
    const changed = readSdl(identity).replace('type Query {', 'type Query {\n  "added by the test"\n  stalenessProbe: Boolean\n');
    assert.deepEqual(staleFiles(composeSupergraph({ identity: changed })).sort(), ['schema/api.graphql', 'schema/supergraph.graphql']);
  });

  it('every subgraph URL in the supergraph is a loopback port, one per subgraph', () => {
    const sdl = composeSupergraph()['schema/supergraph.graphql']!;
    const urls = [...sdl.matchAll(/@join__graph\(name: "([^"]+)", url: "([^"]+)"\)/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(
      urls.map(([n]) => n).sort(),
      readSubgraphConfig()
        .map((s) => s.name)
        .sort(),
    );
    for (const [, url] of urls) assert.match(url!, /^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    assert.equal(new Set(urls.map(([, u]) => u)).size, urls.length);
  });
});
