#!/usr/bin/env node
// Runs every test file with node's built-in runner (TypeScript through tsx), then prints one
// closing line "N passed, N failed" so CI can tell a run that tested nothing from a green one.
// Usage: node tests/run.mjs [filter...]   (a filter keeps files whose path contains it)
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, mkdtempSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';

const root = join(import.meta.dirname, '..');
const roots = [
  'shared/test',
  'router/test',
  'tests/e2e',
  'tests/db',
  'tests/static',
  ...readdirSync(join(root, 'subgraphs')).map((s) => `subgraphs/${s}/test`),
];
const files = [];
const walk = (dir) => {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (e.endsWith('.test.ts')) files.push(relative(root, p));
  }
};
for (const r of roots) walk(join(root, r));
const filters = process.argv.slice(2);
const selected = files.filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (selected.length === 0) {
  console.log('no test files matched');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const tap = join(mkdtempSync(join(tmpdir(), 'fsg-tests-')), 'results.tap');
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...selected,
  ],
  { cwd: root, stdio: 'inherit', env: { TSX_TSCONFIG_PATH: 'tsconfig.base.json', LOG_LEVEL: 'silent', NODE_ENV: 'test', ...process.env } },
);
child.on('exit', (code) => {
  let passed;
  let failed;
  try {
    const text = readFileSync(tap, 'utf8');
    passed = Number(/^# pass (\d+)/m.exec(text)?.[1] ?? 0);
    failed = Number(/^# fail (\d+)/m.exec(text)?.[1] ?? 0) + Number(/^# cancelled (\d+)/m.exec(text)?.[1] ?? 0);
  } catch {
    failed = 1;
  }
  if (code !== 0 && failed === 0) failed = 1;
  console.log(`\n${selected.length} test files`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
});
