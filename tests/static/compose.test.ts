/**
 * docker-compose.yml must follow schema/subgraphs.json: every subgraph runs as a service of the
 * same name with its database, Redis and router secret, and the router reaches it through the
 * subgraph's `urlEnv` variable. Data-driven, so adding a subgraph to the composition config
 * without its container fails here.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readSubgraphConfig, repoRoot, subgraphPasswordEnv, subgraphRoleName, type SubgraphConfig } from '@fashionistar/shared';

interface ComposeService {
  environment: Record<string, string>;
  dependsOn: string[];
  /** depends_on condition per service ('' for the list form). */
  conditions?: Record<string, string>;
}

type Compose = Record<string, ComposeService>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `environment:` as a mapping or as a list of `NAME=value`; a bare `NAME` (pass-through) maps to ''. */
function environmentOf(raw: unknown): Record<string, string> {
  if (Array.isArray(raw)) {
    return Object.fromEntries(
      raw.map((entry) => {
        const s = String(entry);
        const eq = s.indexOf('=');
        return eq < 0 ? [s, ''] : [s.slice(0, eq), s.slice(eq + 1)];
      }),
    );
  }
  if (isRecord(raw)) return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v == null ? '' : String(v)]));
  return {};
}

/** `depends_on:` as a list of names or as a mapping of name → condition. */
function dependsOnOf(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(String);
  if (isRecord(raw)) return Object.keys(raw);
  return [];
}

function conditionsOf(raw: unknown): Record<string, string> {
  if (!isRecord(raw)) return {};
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, isRecord(v) && typeof v.condition === 'string' ? v.condition : '']));
}

/** User and password of a postgres:// URL as written in the file (the password may be `${VAR...}`). */
function credentialsOf(url: string | undefined): { user: string; password: string } | null {
  const m = /^postgres(?:ql)?:\/\/([^:@/]+)(?::([^@]*))?@/.exec(url ?? '');
  return m ? { user: m[1]!, password: m[2] ?? '' } : null;
}

/** The variable a `${VAR}`, `${VAR:-default}` or `${VAR:?message}` reference reads. */
const variableOf = (value: string): string | null => /^\$\{([A-Z0-9_]+)(?::?[?-][^}]*)?\}$/.exec(value)?.[1] ?? null;

/**
 * Database roles: only db-init logs in as the admin (the postgres service's POSTGRES_USER); each
 * subgraph logs in as its own role with the password db-init set for it, and starts only after
 * db-init completed.
 */
function roleProblems(compose: Compose, subgraphs: SubgraphConfig[]): string[] {
  const problems: string[] = [];
  const admin = compose.postgres?.environment.POSTGRES_USER;
  const init = compose['db-init'];
  if (!admin) problems.push('postgres: POSTGRES_USER is not set');
  if (!init) return [...problems, 'no "db-init" service'];
  if (!init.dependsOn.includes('postgres')) problems.push('db-init: does not depend_on "postgres"');
  if (credentialsOf(init.environment.DATABASE_URL)?.user !== admin)
    problems.push(`db-init: DATABASE_URL must log in as the admin "${admin}"`);
  for (const sg of subgraphs) {
    const service = compose[sg.name];
    if (!service) continue;
    const creds = credentialsOf(service.environment.DATABASE_URL);
    if (!creds) {
      problems.push(`${sg.name}: DATABASE_URL is not a postgres:// URL with a user`);
      continue;
    }
    if (creds.user === admin) problems.push(`${sg.name}: DATABASE_URL uses the admin user "${admin}"`);
    if (creds.user !== subgraphRoleName(sg.name)) problems.push(`${sg.name}: DATABASE_URL must log in as "${subgraphRoleName(sg.name)}"`);
    const passwordEnv = subgraphPasswordEnv(sg.name);
    if (variableOf(creds.password) !== passwordEnv) problems.push(`${sg.name}: DATABASE_URL password must be \${${passwordEnv}...}`);
    if (variableOf(init.environment[passwordEnv] ?? '') !== passwordEnv)
      problems.push(`db-init: ${passwordEnv} must be \${${passwordEnv}...}`);
    if (service.conditions?.['db-init'] !== 'service_completed_successfully')
      problems.push(`${sg.name}: must depend_on db-init with condition service_completed_successfully`);
  }
  return problems;
}

function parseCompose(text: string): Compose {
  const doc: unknown = parse(text, { merge: true });
  assert.ok(isRecord(doc) && isRecord(doc.services), 'docker-compose.yml has no services mapping');
  return Object.fromEntries(
    Object.entries(doc.services).map(([name, s]) => [
      name,
      {
        environment: environmentOf(isRecord(s) ? s.environment : undefined),
        dependsOn: dependsOnOf(isRecord(s) ? s.depends_on : undefined),
        conditions: conditionsOf(isRecord(s) ? s.depends_on : undefined),
      },
    ]),
  );
}

/** The secret must come from the deployment's environment, never be written into the file. */
const fromEnv = (value: string | undefined): boolean => /^\$\{ROUTER_SECRET(?::?[?-][^}]*)?\}$/.test(value ?? '');

/** Every way the compose file disagrees with the composition config; empty when it follows it. */
function composeProblems(compose: Compose, subgraphs: SubgraphConfig[]): string[] {
  const problems: string[] = [];
  for (const infra of ['postgres', 'redis']) if (!compose[infra]) problems.push(`no "${infra}" service`);
  const router = compose.router;
  if (!router) problems.push('no "router" service');
  else if (!fromEnv(router.environment.ROUTER_SECRET))
    problems.push('router: ROUTER_SECRET must be ${ROUTER_SECRET...} from the environment');

  for (const sg of subgraphs) {
    const service = compose[sg.name];
    if (!service) {
      problems.push(`subgraph "${sg.name}" has no service of the same name`);
    } else {
      for (const v of ['DATABASE_URL', 'REDIS_URL', 'ROUTER_SECRET']) {
        if (!service.environment[v]) problems.push(`${sg.name}: ${v} is not set`);
      }
      if (service.environment.ROUTER_SECRET && !fromEnv(service.environment.ROUTER_SECRET)) {
        problems.push(`${sg.name}: ROUTER_SECRET must be \${ROUTER_SECRET...} from the environment`);
      }
    }
    if (!router) continue;
    const url = router.environment[sg.urlEnv];
    if (!url) {
      problems.push(`router: ${sg.urlEnv} (urlEnv of "${sg.name}") is not set`);
      continue;
    }
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      problems.push(`router: ${sg.urlEnv}=${url} is not a URL`);
      continue;
    }
    if (host !== sg.name) problems.push(`router: ${sg.urlEnv}=${url} should point at the "${sg.name}" service, not "${host}"`);
    if (service && !router.dependsOn.includes(sg.name)) problems.push(`router: does not depend_on "${sg.name}"`);
  }
  return problems;
}

const root = repoRoot();
const subgraphs = readSubgraphConfig(root);
const compose = parseCompose(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));

describe('docker-compose.yml', () => {
  it('follows schema/subgraphs.json', () => {
    assert.ok(subgraphs.length > 0, 'schema/subgraphs.json lists no subgraphs');
    assert.deepEqual(composeProblems(compose, subgraphs), []);
  });

  it('has postgres and redis, and every subgraph its own service with DATABASE_URL, REDIS_URL and ROUTER_SECRET', () => {
    assert.ok(compose.postgres && compose.redis);
    for (const sg of subgraphs) {
      const env = compose[sg.name]?.environment ?? {};
      assert.ok(env.DATABASE_URL && env.REDIS_URL && env.ROUTER_SECRET, `${sg.name} lacks DATABASE_URL, REDIS_URL or ROUTER_SECRET`);
    }
  });

  it("gives the router every subgraph's urlEnv, pointing at that subgraph's service, and ROUTER_SECRET", () => {
    const env = compose.router?.environment ?? {};
    assert.ok(env.ROUTER_SECRET, 'router lacks ROUTER_SECRET');
    for (const sg of subgraphs) {
      assert.ok(env[sg.urlEnv], `router lacks ${sg.urlEnv}`);
      assert.equal(new URL(env[sg.urlEnv]).hostname, sg.name);
    }
  });

  it('fails when a subgraph is added to schema/subgraphs.json without a compose service', () => {
    const added: SubgraphConfig = {
      name: 'madeup',
      routingUrl: 'http://127.0.0.1:4099/graphql',
      urlEnv: 'MADEUP_URL',
      sdl: 'subgraphs/madeup/src/schema',
      package: '@fashionistar/madeup',
    };
    assert.ok(!compose[added.name], 'the made-up subgraph must not exist in docker-compose.yml');
    const problems = composeProblems(compose, [...subgraphs, added]);
    assert.ok(
      problems.some((p) => p.includes('"madeup" has no service')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.includes('MADEUP_URL')),
      problems.join('\n'),
    );
  });

  it('fails when the router points a urlEnv at the wrong host or lacks it', () => {
    const sg = subgraphs[0];
    const router = compose.router;
    assert.ok(sg && router);
    const wrongHost = {
      ...compose,
      router: { ...router, environment: { ...router.environment, [sg.urlEnv]: 'http://127.0.0.1:4001/graphql' } },
    };
    assert.ok(composeProblems(wrongHost, subgraphs).some((p) => p.includes('should point at')));
    const { [sg.urlEnv]: _dropped, ...rest } = router.environment;
    const missing = { ...compose, router: { ...router, environment: rest } };
    assert.ok(composeProblems(missing, subgraphs).some((p) => p.includes(`${sg.urlEnv} (urlEnv of "${sg.name}") is not set`)));
  });

  it('fails when a subgraph service lacks DATABASE_URL, REDIS_URL or a secret from the environment', () => {
    const sg = subgraphs[0];
    const service = compose[sg.name];
    assert.ok(service);
    for (const v of ['DATABASE_URL', 'REDIS_URL', 'ROUTER_SECRET']) {
      const { [v]: _dropped, ...rest } = service.environment;
      const broken = { ...compose, [sg.name]: { ...service, environment: rest } };
      assert.ok(composeProblems(broken, subgraphs).includes(`${sg.name}: ${v} is not set`), v);
    }
    const literal = { ...compose, [sg.name]: { ...service, environment: { ...service.environment, ROUTER_SECRET: 'hunter2' } } };
    assert.ok(composeProblems(literal, subgraphs).some((p) => p.startsWith(`${sg.name}: ROUTER_SECRET must be`)));
  });

  it('runs db-init as the admin first, and every subgraph as its own role', () => {
    assert.deepEqual(roleProblems(compose, subgraphs), []);
  });

  it('fails when a subgraph uses the admin user, a literal password, or does not wait for db-init', () => {
    const sg = subgraphs[0];
    const service = compose[sg.name];
    assert.ok(sg && service);
    const withUrl = (url: string) => ({
      ...compose,
      [sg.name]: { ...service, environment: { ...service.environment, DATABASE_URL: url } },
    });
    const asAdmin = roleProblems(withUrl('postgres://fashionistar:${POSTGRES_PASSWORD:-x}@postgres:5432/fashionistar'), subgraphs);
    assert.ok(asAdmin.includes(`${sg.name}: DATABASE_URL uses the admin user "fashionistar"`), asAdmin.join('\n'));
    const literal = roleProblems(withUrl(`postgres://${subgraphRoleName(sg.name)}:hunter2@postgres:5432/fashionistar`), subgraphs);
    assert.ok(
      literal.some((p) => p.startsWith(`${sg.name}: DATABASE_URL password must be`)),
      literal.join('\n'),
    );
    const eager = { ...compose, [sg.name]: { ...service, conditions: { ...service.conditions, 'db-init': 'service_started' } } };
    assert.ok(roleProblems(eager, subgraphs).some((p) => p.startsWith(`${sg.name}: must depend_on db-init`)));
    const { 'db-init': _dropped, ...noInit } = compose;
    assert.deepEqual(roleProblems(noInit, subgraphs), ['no "db-init" service']);
  });
});
