/**
 * GraphiQL in a real browser (development): the page served at /graphql loads the schema through
 * the standard introspection query, so the docs explorer is populated, and runs a query.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkipReason, launchBrowser, type TestBrowser } from '../src/browser';
import { startStack, type Stack } from '../src/stack';

describe('GraphiQL in headless Chromium', { skip: browserSkipReason }, () => {
  let s: Stack;
  let b: TestBrowser;
  before(async () => {
    s = await startStack({ NODE_ENV: 'development' }, {}, { SEED_SCALE: '20' });
    b = await launchBrowser();
  });
  after(async () => {
    await b?.close();
    await s?.stop();
  });

  it('opens with the schema loaded, shows the docs and runs a query', async () => {
    const page = b.page;
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    // GraphiQL takes its first query from the URL, as a shared link would.
    await page.goto(`${s.router.url}?query=${encodeURIComponent('{ categories { slug } }')}`, { waitUntil: 'load' });
    await page.waitForSelector('.graphiql-container', { timeout: 30_000 });
    await page.click('[aria-label="Show Documentation Explorer"]');
    const docs = page.locator('.graphiql-doc-explorer');
    await docs
      .getByText('Root Types')
      .waitFor({ timeout: 30_000 })
      .catch(async (e: Error) => assert.fail(`docs explorer not populated: ${(await docs.innerText()).slice(0, 300)} (${e.message})`));
    assert.match(await docs.innerText(), /query:\s*Query/);
    assert.match(await docs.innerText(), /mutation:\s*Mutation/);

    await page.click('.graphiql-execute-button');
    const result = page.locator('.result-window');
    await result.getByText('"categories"').waitFor({ timeout: 30_000 });
    const text = await result.innerText();
    assert.match(text, /"slug":\s*"[a-z-]+"/);
    assert.doesNotMatch(text, /"errors"/);
    assert.deepEqual(problems, []);
  });
});
