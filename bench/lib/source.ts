// Which code a benchmark measured, so that a result can name it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './server.ts';

/** Files under `dir` (relative to the repo), recursively, sorted. */
function filesUnder(root: string, dir: string): string[] {
  try {
    return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(root, join(e.parentPath, e.name)))
      .sort();
  } catch {
    return [];
  }
}

/** Which code was measured: the commit (if a git checkout) and a digest of src/ and bin/ as on disk. */
export function sourceState(root = REPO_ROOT): string {
  const digest = createHash('sha256');
  for (const file of [...filesUnder(root, 'src'), ...filesUnder(root, 'bin')]) digest.update(file).update(readFileSync(join(root, file)));
  const files = `src+bin digest ${digest.digest('hex').slice(0, 12)}`;
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', 'src', 'bin').split('\n').filter((l) => l !== '').length;
    return `commit ${git('rev-parse', '--short', 'HEAD')}${dirty > 0 ? ` + ${dirty} uncommitted change(s) in src/ or bin/` : ''}, ${files}`;
  } catch {
    return `not a git checkout, ${files}`;
  }
}
