/**
 * Adds a new ES256 signing key to JWT_KEYS_DIR; it signs from the identity subgraph's next start.
 * Older keys stay published in the JWKS so tokens they signed keep verifying; delete an old key
 * file once the access-token lifetime (15 min) has passed since the restart.
 *   JWT_KEYS_DIR=/keys npm run rotate-keys
 */
import { KeyStore } from '../services/key-store';

const dir = process.env.JWT_KEYS_DIR ?? '.data/keys';
const kid = new KeyStore(dir).rotate();
console.log(`new signing key ${kid} in ${dir}`);
