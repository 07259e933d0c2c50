import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject, type JsonWebKey } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: JsonWebKey & { kid: string; alg: 'ES256'; use: 'sig' };
  /** When the key was made: the timestamp in its kid, else its file's modification time. */
  createdAt: Date;
}

/**
 * ES256 signing keys, one PEM file per key in a directory; the file name is the `kid`.
 *
 * Publish first, sign later: every key in the directory is published in the JWKS at once, but a
 * key signs only once it is `activationSeconds` old, so verifiers (the router caches the JWKS)
 * and every replica have it before the first token it signs. The signing key is the newest key
 * old enough; when none is (a fresh store, or only fresh keys), the oldest key signs. A
 * rotated-out key keeps verifying tokens until its file is removed (after the access-token
 * lifetime).
 */
export class KeyStore {
  private keys: SigningKey[] = [];

  constructor(
    private readonly dir: string,
    private readonly activationSeconds = 0,
  ) {}

  /** Loads the keys; with `generateIfEmpty` (never in production) makes the first one. */
  load(generateIfEmpty: boolean): this {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    let files = this.files();
    if (files.length === 0) {
      if (!generateIfEmpty) throw new Error(`no signing keys in ${this.dir}: run npm run rotate-keys`);
      this.rotate();
      files = this.files();
    }
    this.keys = files
      .map((f) => {
        const path = join(this.dir, f);
        const kid = f.slice(0, -4);
        return toSigningKey(kid, readFileSync(path, 'utf8'), kidTime(kid) ?? statSync(path).mtime);
      })
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.kid.localeCompare(b.kid));
    return this;
  }

  private files(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.pem'))
      .sort();
  }

  /** Writes a new key: published from the next load on, signing once it is old enough. Returns its kid. */
  rotate(): string {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kid = `${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
    writeFileSync(join(this.dir, `${kid}.pem`), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    return kid;
  }

  /** The signing key: the newest key at least `activationSeconds` old, else the oldest key. */
  get current(): SigningKey {
    if (this.keys.length === 0) throw new Error('key store not loaded');
    const activeBefore = Date.now() - this.activationSeconds * 1000;
    let active: SigningKey | undefined;
    for (const k of this.keys) if (k.createdAt.getTime() <= activeBefore) active = k;
    return active ?? this.keys[0]!;
  }

  jwks(): { keys: SigningKey['publicJwk'][] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }
}

/** The time in a kid made by rotate() (`20261125T100000123Z-…`), or null for other names. */
function kidTime(kid: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z(?:-|$)/.exec(kid);
  if (!m) return null;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!);
  return Number.isNaN(t) ? null : new Date(t);
}

function toSigningKey(kid: string, pem: string, createdAt: Date): SigningKey {
  const privateKey = createPrivateKey(pem);
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return { kid, privateKey, publicJwk: { ...jwk, kid, alg: 'ES256', use: 'sig' }, createdAt };
}
