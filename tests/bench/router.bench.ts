/**
 * Router overhead benchmark: the same `me` query sent straight to the identity subgraph (the
 * baseline: what a client would pay with no router) and through the router, in one process, with
 * the same concurrency. Prints throughput, latency percentiles and the ratio. Not a timed test:
 * run it with `npm run bench:router` (needs the test Postgres and Redis, like `npm test`).
 *   BENCH_REQUESTS (default 3000)  BENCH_CONCURRENCY (default 16)
 */
import { performance } from 'node:perf_hooks';
import { FORWARD_HEADERS, encodeIdentity } from '@fashionistar/shared';
import { identityFromToken } from '@fashionistar/identity/test/helpers';
import { startStack } from '../src/stack';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const QUERY = '{ me { id email firstName lastName roles emailVerified addresses { id city state isDefault } } }';

interface Run {
  label: string;
  rps: number;
  p50: number;
  p99: number;
}

async function run(label: string, url: string, headers: Record<string, string>): Promise<Run> {
  const body = JSON.stringify({ query: QUERY });
  const once = async () => {
    const t = performance.now();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const json = (await res.json()) as { errors?: unknown };
    if (json.errors) throw new Error(`${label}: ${JSON.stringify(json.errors)}`);
    return performance.now() - t;
  };
  for (let i = 0; i < 200; i++) await once(); // warm-up: JIT, connection pools, plan cache
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < REQUESTS) latencies.push(await once());
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { label, rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}

async function main() {
  const stack = await startStack({ LOG_LEVEL: 'silent' });
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
    const direct = await run('identity subgraph, direct (baseline)', stack.identity.url, {
      [FORWARD_HEADERS.secret]: stack.identity.deps.config.ROUTER_SECRET,
      [FORWARD_HEADERS.identity]: encodeIdentity(identityFromToken(token)),
    });
    const routed = await run('through the router', stack.router.url, { authorization: `Bearer ${token}` });
    console.log(`\n${REQUESTS} requests, concurrency ${CONCURRENCY}, query: ${QUERY}\n`);
    for (const r of [direct, routed]) {
      console.log(`${r.label.padEnd(40)} ${r.rps.toFixed(0).padStart(6)} req/s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms`);
    }
    console.log(
      `\nrouter throughput / direct: ${(routed.rps / direct.rps).toFixed(2)}   router p50 overhead: +${(routed.p50 - direct.p50).toFixed(2)} ms`,
    );
  } finally {
    await stack.stop();
  }
}

void main();
