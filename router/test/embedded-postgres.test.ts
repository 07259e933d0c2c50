/**
 * `npm start` as root from a private checkout (cloned under /root or into a mktemp -d, mode
 * 0700): Postgres runs as the `postgres` user, which cannot even reach the binaries there. The
 * launcher must copy them (and keep the data) where that user can, and the cluster must start,
 * answer, stop, and start again with its data. Real: root, a real 0700 directory, a real server.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createLogger } from '@fashionistar/shared';
import { startEmbeddedPostgres } from '../src/dev/embedded-postgres';
import { packagedBinaries, userCan } from '../src/dev/pg-binaries';

const TIMEOUT = { timeout: 120_000 };
const root = userInfo().uid === 0;

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function query(url: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

describe(
  'embedded Postgres as root from a private directory',
  { skip: root ? false : 'needs root: only root runs Postgres as another user' },
  () => {
    const cleanup: string[] = [];
    after(() => {
      for (const d of cleanup) rmSync(d, { recursive: true, force: true });
    });

    it('copies the binaries where the postgres user can reach them, keeps the data there, and restarts with it', TIMEOUT, async () => {
      const checkout = mkdtempSync(join(tmpdir(), 'fsg-private-'));
      cleanup.push(checkout);
      assert.equal(statSync(checkout).mode & 0o777, 0o700);
      // The checkout's node_modules binaries, in the private directory (hard links: no 60 MB copy).
      const packaged = packagedBinaries();
      const privateNative = join(checkout, 'native');
      execFileSync('cp', ['-al', packaged.nativeDir, privateNative]);
      const pgUser = {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
      };
      // Control: this is the EACCES `npm start` died of.
      assert.equal(userCan(pgUser, '-x', join(privateNative, 'bin', 'initdb')), false);

      const shareRoot = mkdtempSync('/var/tmp/fsg-pgshare-');
      chmodSync(shareRoot, 0o755);
      cleanup.push(shareRoot);
      const log = createLogger('embedded-pg-test', 'silent');
      const options = { shareRoot, packaged: { nativeDir: privateNative, version: packaged.version } };
      const dataDir = join(checkout, '.data', 'pg');

      const first = await startEmbeddedPostgres(dataDir, await freePort(), 'fsgtest', log, options);
      try {
        const home = join(shareRoot, `fashionistar-pg-${packaged.version}`);
        assert.equal(first.layout.relocatedTo, home);
        assert.ok(first.layout.nativeDir.startsWith(home) && first.layout.dataDir.startsWith(home), JSON.stringify(first.layout));
        assert.equal(statSync(first.layout.dataDir).uid, pgUser.uid);
        const [row] = await query(first.url, `SELECT current_database() AS db, current_setting('data_directory') AS dir`);
        assert.deepEqual(row, { db: 'fsgtest', dir: first.layout.dataDir });
        await query(first.url, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')`);
      } finally {
        await first.stop();
      }
      // The same private checkout again: the copy is reused, and so is the cluster.
      const second = await startEmbeddedPostgres(dataDir, await freePort(), 'fsgtest', log, options);
      try {
        assert.equal(second.layout.dataDir, first.layout.dataDir);
        assert.deepEqual(await query(second.url, `SELECT v FROM kept`), [{ v: 'still here' }]);
      } finally {
        await second.stop();
      }
    });

    it('refuses a binaries directory in /var/tmp that someone else could have planted', TIMEOUT, async () => {
      const checkout = mkdtempSync(join(tmpdir(), 'fsg-private-'));
      const shareRoot = mkdtempSync('/var/tmp/fsg-pgshare-');
      chmodSync(shareRoot, 0o755);
      cleanup.push(checkout, shareRoot);
      const packaged = packagedBinaries();
      const privateNative = join(checkout, 'native');
      execFileSync('cp', ['-al', packaged.nativeDir, privateNative]);
      const home = join(shareRoot, `fashionistar-pg-${packaged.version}`);
      execFileSync('mkdir', ['-m', '0777', home]);
      chmodSync(home, 0o777);
      const log = createLogger('embedded-pg-test', 'silent');
      await assert.rejects(
        startEmbeddedPostgres(join(checkout, '.data', 'pg'), await freePort(), 'fsgtest', log, {
          shareRoot,
          packaged: { nativeDir: privateNative, version: packaged.version },
        }),
        /writable only by root/,
      );
    });
  },
);
