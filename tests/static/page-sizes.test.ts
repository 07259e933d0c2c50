/**
 * Every list field that takes `first` declares its largest page with @pageSize (the router
 * enforces it before planning), and tells clients its default and maximum in the description.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, print } from 'graphql';
import { repoRoot } from '@fashionistar/shared';
import { pageSizeLimits } from '@fashionistar/router/src/page-sizes';

describe('page sizes in the schema', () => {
  const supergraph = readFileSync(join(repoRoot(), 'schema/supergraph.graphql'), 'utf8');
  const limits = pageSizeLimits(supergraph);
  const fields = parse(supergraph).definitions.flatMap((def) =>
    'fields' in def && def.fields && 'name' in def && def.name
      ? def.fields.flatMap((f) => (f.kind === Kind.FIELD_DEFINITION ? [{ type: def.name!.value, field: f }] : []))
      : [],
  );
  const paged = fields.filter(({ field }) => field.arguments?.some((a) => a.name.value === 'first'));

  it('declares @pageSize on every field taking `first`', () => {
    assert.ok(paged.length >= 10, `only ${paged.length} paged fields found`);
    const missing = paged.map(({ type, field }) => `${type}.${field.name.value}`).filter((name) => !limits.has(name));
    assert.deepEqual(missing, []);
  });

  it('keeps each default within the maximum and states the maximum to clients', () => {
    const wrong: string[] = [];
    for (const { type, field } of paged) {
      const name = `${type}.${field.name.value}`;
      const max = limits.get(name);
      const first = field.arguments!.find((a) => a.name.value === 'first')!;
      const fallback = first.defaultValue ? Number(print(first.defaultValue)) : null;
      if (max === undefined) continue;
      if (fallback !== null && (fallback < 1 || fallback > max)) wrong.push(`${name}: default ${fallback} outside 1..${max}`);
      const text = `${first.description?.value ?? ''} ${field.description?.value ?? ''}`;
      if (!text.includes(String(max))) wrong.push(`${name}: no description of \`first\` or the field mentions the maximum ${max}`);
    }
    assert.deepEqual(wrong, []);
  });
});
