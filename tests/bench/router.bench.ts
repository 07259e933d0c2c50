/**
 * Router overhead benchmark: the same `me` query sent straight to the identity subgraph (the
 * baseline: what a client would pay with no router) and through the router, in one process, with
 * the same concurrency. Prints throughput, latency percentiles and the ratio. Not a timed test:
 * run it with `npm run bench:router` (needs the test Postgres and Redis, like `npm test`).
 *   BENCH_REQUESTS (default 3000)  BENCH_CONCURRENCY (default 16)
 */
import { FORWARD_HEADERS, encodeIdentity } from '@fashionistar/shared';
import { identityFromToken } from '@fashionistar/identity/test/helpers';
import { startStack } from '../src/stack';
import { load, print } from './load';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const QUERY = '{ me { id email firstName lastName roles emailVerified addresses { id city state isDefault } } }';

async function main() {
  // Thousands of requests a minute from one address: the router's rate limits would refuse them.
  const stack = await startStack({ LOG_LEVEL: 'silent', RATE_LIMIT_PER_IP_PER_MINUTE: '0', RATE_LIMIT_PER_USER_PER_MINUTE: '0' });
  try {
    const login = await stack.gql(
      `mutation { login(input: { email: "customer1@fashionistar.test", password: "Passw0rd!" }) { accessToken } }`,
    );
    const token = (login.data as { login: { accessToken: string } }).login.accessToken;
    await stack.gql(
      `mutation { addAddress(input: { fullName: "C", phone: "08031234567", line1: "1 Way", city: "Ikeja", state: "Lagos" }) { id } }`,
      {},
      token,
    );
    const body = () => JSON.stringify({ query: QUERY });
    const direct = await load(
      'identity subgraph, direct (baseline)',
      stack.identity.url,
      body,
      {
        [FORWARD_HEADERS.secret]: stack.identity.deps.config.ROUTER_SECRET,
        [FORWARD_HEADERS.identity]: encodeIdentity(identityFromToken(token)),
      },
      REQUESTS,
      CONCURRENCY,
    );
    const routed = await load('through the router', stack.router.url, body, { authorization: `Bearer ${token}` }, REQUESTS, CONCURRENCY);
    console.log(`\n${REQUESTS} requests, concurrency ${CONCURRENCY}, query: ${QUERY}\n`);
    [direct, routed].forEach(print);
    console.log(
      `\nrouter throughput / direct: ${(routed.rps / direct.rps).toFixed(2)}   router p50 overhead: +${(routed.p50 - direct.p50).toFixed(2)} ms`,
    );
  } finally {
    await stack.stop();
  }
}

void main();
