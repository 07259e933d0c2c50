import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, type JsonWebKey } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: JsonWebKey & { kid: string; alg: 'ES256'; use: 'sig' };
}

/**
 * ES256 signing keys, one PEM file per key in a directory; the file name is the `kid`. The newest
 * key signs; every key in the directory is published in the JWKS, so a rotated-out key keeps
 * verifying tokens until its file is removed (after the access-token lifetime).
 */
export class KeyStore {
  private keys: SigningKey[] = [];

  constructor(private readonly dir: string) {}

  /** Loads the keys; with `generateIfEmpty` (never in production) makes the first one. */
  load(generateIfEmpty: boolean): this {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    let files = readdirSync(this.dir)
      .filter((f) => f.endsWith('.pem'))
      .sort();
    if (files.length === 0) {
      if (!generateIfEmpty) throw new Error(`no signing keys in ${this.dir}: run npm run rotate-keys`);
      this.rotate();
      files = readdirSync(this.dir)
        .filter((f) => f.endsWith('.pem'))
        .sort();
    }
    this.keys = files.map((f) => toSigningKey(f.slice(0, -4), readFileSync(join(this.dir, f), 'utf8')));
    return this;
  }

  /** Writes a new key, which signs from the next load on. Returns its kid. */
  rotate(): string {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kid = `${new Date().toISOString().replace(/[-:.]/g, '')}-${Math.random().toString(36).slice(2, 8)}`;
    writeFileSync(join(this.dir, `${kid}.pem`), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    return kid;
  }

  get current(): SigningKey {
    const key = this.keys[this.keys.length - 1];
    if (!key) throw new Error('key store not loaded');
    return key;
  }

  jwks(): { keys: SigningKey['publicJwk'][] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }
}

function toSigningKey(kid: string, pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return { kid, privateKey, publicJwk: { ...jwk, kid, alg: 'ES256', use: 'sig' } };
}
