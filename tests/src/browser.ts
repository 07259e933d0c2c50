import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

/**
 * Headless Chromium for browser tests: the Debian package (`/usr/bin/chromium`, or CHROMIUM_PATH)
 * driven by playwright-core, with a fresh profile; nothing is ever downloaded.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why browser tests cannot run here (for node:test's `skip`), or false when they can. */
export const browserSkipReason: string | false = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM} (CI installs the Debian package "chromium" when it can; set CHROMIUM_PATH to use another); router/test/cors.test.ts still checks the headers a browser needs`;

/**
 * The page every browser test loads: `gql(url, query, variables, token)` does what a storefront's
 * data layer does — a credentialed JSON POST, optionally with a bearer token.
 */
export const PAGE_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>storefront</title></head><body>
<script>
  window.gql = async (url, query, variables, token) => {
    const headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = 'Bearer ' + token;
    const res = await fetch(url, { method: 'POST', credentials: 'include', headers, body: JSON.stringify({ query, variables }) });
    return { status: res.status, body: await res.json(), requestId: res.headers.get('x-request-id') };
  };
</script></body></html>`;

export interface PageAnswer<T> {
  status: number;
  body: { data?: T | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  requestId: string | null;
}
type PageGql = (url: string, query: string, variables?: Record<string, unknown>, token?: string) => Promise<PageAnswer<unknown>>;

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Port of the server that serves PAGE_HTML (on 127.0.0.1; load it as localhost or 127.0.0.1). */
  pagePort: number;
  /** Runs an operation from the page, so CORS, cookies and SameSite are the browser's. */
  gql<T = Record<string, unknown>>(url: string, query: string, variables?: Record<string, unknown>, token?: string): Promise<PageAnswer<T>>;
  /** The browser's cookie `name` for `url` (HttpOnly ones included, which scripts cannot read). */
  cookie(
    url: string,
    name: string,
  ): Promise<{ value: string; httpOnly: boolean; secure: boolean; sameSite: string; path: string } | undefined>;
  close(): Promise<void>;
}

/** Starts Chromium and a page server, and opens `http://<pageHost>:<port>/`. */
export async function launchBrowser(pageHost = 'localhost'): Promise<TestBrowser> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE_HTML);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const pagePort = (server.address() as AddressInfo).port;
  const profile = mkdtempSync(join(tmpdir(), 'fsg-chromium-'));
  const closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  let context: BrowserContext;
  try {
    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } catch (error) {
    await closeServer();
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`http://${pageHost}:${pagePort}/`);
  return {
    context,
    page,
    pagePort,
    gql: async <T>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string) =>
      (await page.evaluate(([u, q, v, t]) => (globalThis as unknown as { gql: PageGql }).gql(u, q, v, t), [
        url,
        query,
        variables,
        token,
      ] as const)) as PageAnswer<T>,
    cookie: async (url, name) => (await context.cookies(url)).find((c) => c.name === name),
    close: async () => {
      await context.close();
      await closeServer();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
