import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commonSpec, messagingSpec, readSubgraphConfig, repoRoot } from '@fashionistar/shared';
import { identitySpec } from '@fashionistar/identity/src/config';
import { catalogSpec } from '@fashionistar/catalog/src/config';
import { vendorsSpec } from '@fashionistar/vendors/src/config';
import { reviewsSpec } from '@fashionistar/reviews/src/config';
import { routerSpec } from '@fashionistar/router/src/config';
import { devSpec } from '@fashionistar/router/src/dev/config';

describe('README', () => {
  const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## Configuration'));

  it('documents every environment variable a process reads', () => {
    const names = new Set([
      ...Object.keys(commonSpec),
      ...Object.keys(routerSpec),
      ...Object.keys(identitySpec),
      ...Object.keys(catalogSpec),
      ...Object.keys(vendorsSpec),
      ...Object.keys(reviewsSpec),
      ...Object.keys(devSpec),
      ...Object.keys(messagingSpec),
      ...readSubgraphConfig().map((s) => s.urlEnv),
    ]);
    const missing = [...names].filter((n) => !table.includes(`\`${n}\``));
    assert.deepEqual(missing, []);
  });

  it('shows the two commands', () => {
    assert.match(readme, /npm install && npm start/);
    assert.match(readme, /npm test/);
  });
});
