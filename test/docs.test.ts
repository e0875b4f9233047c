// Docs that must not drift: the error catalogue and the generated API coverage table.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { apiCoverage } from '../tools/api-coverage.ts';
import { REPO_ROOT } from './helpers/serve.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

test('docs: errors.md lists exactly the error codes the sources declare', () => {
  const declared = new Set<string>();
  for (const file of sourceFiles(join(REPO_ROOT, 'src'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/'(ERR_[A-Z_]+)'/g)) declared.add(m[1]!);
  }
  const documented = new Set(
    [...readFileSync(join(REPO_ROOT, 'docs', 'errors.md'), 'utf8').matchAll(/^\| `(ERR_[A-Z_]+)`/gm)].map((m) => m[1]!),
  );
  assert.deepEqual([...declared].sort(), [...documented].sort());
});

test('docs: api-coverage.md is generated from the registry and current (npm run docs)', () => {
  assert.equal(readFileSync(join(REPO_ROOT, 'docs', 'api-coverage.md'), 'utf8'), apiCoverage());
});
