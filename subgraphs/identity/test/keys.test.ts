import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KeyStore } from '../src/services/key-store';
import { loginAs, startTestIdentity, type TestIdentity } from './helpers';

/** The repository root, where the CLIs run (npm scripts run there). */
const ROOT = join(__dirname, '..', '..', '..');

const run = promisify(execFile);
const kidOf = (jwt: string): string => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

describe('identity: signing keys are published before they sign', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'fsg-keys-'));
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('keeps signing with the old key until the new one is old enough, publishing both at once', () => {
    const dir = tempDir();
    const store = new KeyStore(dir, 600).load(true);
    const first = store.current.kid;
    const second = store.rotate();
    store.load(false);
    assert.equal(store.current.kid, first, 'a fresh key does not sign yet');
    assert.deepEqual(
      store.jwks().keys.map((k) => k.kid),
      [first, second],
    );
    assert.ok(
      store.jwks().keys.every((k) => (k as { d?: string }).d === undefined),
      'no private parts',
    );

    // With no activation delay the new key signs at once (the behaviour before publish-first).
    const eager = new KeyStore(dir, 0).load(false);
    assert.equal(eager.current.kid, second);
  });

  it('signs with the newest key that is old enough, by the time in its kid or else its file time', () => {
    const dir = tempDir();
    const maker = new KeyStore(dir);
    const fresh = maker.rotate();
    // An old key under a name without a timestamp: its age comes from the file.
    copyFileSync(join(dir, `${fresh}.pem`), join(dir, 'legacy.pem'));
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(join(dir, 'legacy.pem'), hourAgo, hourAgo);
    // An old key by its kid's timestamp.
    copyFileSync(join(dir, `${fresh}.pem`), join(dir, '20200101T000000000Z-aaaa.pem'));
    const store = new KeyStore(dir, 600).load(false);
    assert.equal(store.current.kid, 'legacy', 'the newest of the keys older than 10 minutes');
    assert.deepEqual(
      store.jwks().keys.map((k) => k.kid),
      ['20200101T000000000Z-aaaa', 'legacy', fresh],
    );
  });

  it('rotate-keys adds a key file, and both keys are in the JWKS', async () => {
    const dir = tempDir();
    const before = new KeyStore(dir, 600).load(true).current.kid;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'subgraphs/identity/src/cli/rotate-keys.ts'], {
      cwd: ROOT,
      env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.base.json', JWT_KEYS_DIR: dir },
    });
    const files = readdirSync(dir).filter((f) => f.endsWith('.pem'));
    assert.equal(files.length, 2);
    const added = files.map((f) => f.slice(0, -4)).find((k) => k !== before)!;
    assert.match(stdout, new RegExp(added));
    const store = new KeyStore(dir, 600).load(false);
    assert.deepEqual(
      store.jwks().keys.map((k) => k.kid),
      [before, added],
    );
    assert.equal(store.current.kid, before);
  });

  describe('in the running subgraph (JWT_KEY_ACTIVATION_SECONDS=600)', () => {
    let t: TestIdentity;
    before(async () => {
      t = await startTestIdentity({ JWT_KEY_ACTIVATION_SECONDS: '600' });
    });
    after(() => t.stop());

    it('serves both keys after a rotation and signs with the old one', async () => {
      const keys = t.server.deps.keys;
      const old = keys.current.kid;
      const added = keys.rotate();
      keys.load(false);
      const jwks = (await (await fetch(new URL('/.well-known/jwks.json', t.server.url))).json()) as { keys: Array<{ kid: string }> };
      assert.deepEqual(
        jwks.keys.map((k) => k.kid),
        [old, added],
      );
      const signedIn = await loginAs(t, 'customer1@fashionistar.test');
      assert.equal(kidOf(signedIn.accessToken), old);
    });
  });
});
