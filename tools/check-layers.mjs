#!/usr/bin/env node
// Keeps DESIGN.md's layer table true: each src/ folder may import only the
// folders (and packages) listed for it. Static value imports only; the CLI reaches
// server/ and store/ through dynamic import() so that client commands stay light.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const rules = {
  oauth: { folders: [], packages: [] },
  model: { folders: [], packages: [] },
  store: { folders: ['model'], packages: ['kysely', 'better-sqlite3', 'pg'] },
  api: { folders: ['model', 'store'], packages: [] },
  server: { folders: ['api', 'oauth', 'store', 'model'], packages: ['fastify', 'pino'] },
  client: { folders: ['oauth', 'model'], packages: [] },
  cli: { folders: ['client', 'model', 'oauth'], packages: ['commander'] },
};

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

const problems = [];
for (const file of files(join(root, 'src'))) {
  const layer = relative(join(root, 'src'), file).split('/')[0];
  const rule = rules[layer];
  if (!rule) continue;
  const text = readFileSync(file, 'utf8');
  const re = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) {
    // Type-only imports vanish at run time and do not couple layers.
    if (/^\s*(import|export)\s+type\s/.test(m[0])) continue;
    const spec = m[1] ?? m[2];
    if (spec.startsWith('node:')) continue;
    if (spec.startsWith('.')) {
      const target = relative(join(root, 'src'), resolve(dirname(file), spec)).split('/')[0];
      if (target !== layer && !rule.folders.includes(target)) {
        problems.push(`${relative(root, file)}: src/${layer} may not import src/${target} (${spec})`);
      }
    } else {
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (!rule.packages.includes(pkg) && !rule.packages.some((p) => pkg.startsWith(`${p}`))) {
        problems.push(`${relative(root, file)}: src/${layer} may not import package ${pkg}`);
      }
    }
  }
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('layers: ok');
