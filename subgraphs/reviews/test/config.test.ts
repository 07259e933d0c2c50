import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { commonSpec, readSubgraphConfig } from '@fashionistar/shared';
import { loadReviewsConfig, reviewsSpec } from '../src/config';

describe('reviews: configuration', () => {
  it('reads only settings it uses: peer URLs come from the launcher or the standalone runner', () => {
    const own = Object.keys(reviewsSpec).filter((k) => !(k in commonSpec));
    assert.deepEqual(own.sort(), ['REVIEWS_HOST', 'REVIEWS_PORT', 'SEED', 'SEED_SCALE']);
    const peerUrls = readSubgraphConfig().map((s) => s.urlEnv);
    assert.deepEqual(
      Object.keys(loadReviewsConfig({ NODE_ENV: 'test' })).filter((k) => peerUrls.includes(k)),
      [],
      'no peer URL in the loaded config',
    );
  });
});
