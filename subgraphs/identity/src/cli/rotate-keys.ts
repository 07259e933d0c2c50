/**
 * Adds a new ES256 signing key to JWT_KEYS_DIR. The identity subgraph publishes it in the JWKS
 * from its next (re)load of the directory, and signs with it once it is JWT_KEY_ACTIVATION_SECONDS
 * old (default 10 min), so verifiers have it before the first token it signs: restart every
 * replica within that time. Older keys stay published so tokens they signed keep verifying;
 * delete an old key file once the new key signs and the access-token lifetime (15 min) has passed.
 *   JWT_KEYS_DIR=/keys npm run rotate-keys
 */
import { KeyStore } from '../services/key-store';

const dir = process.env.JWT_KEYS_DIR ?? '.data/keys';
const kid = new KeyStore(dir).rotate();
console.log(`new signing key ${kid} in ${dir}`);
