// Generates docs/api-coverage.md from the handler registry (DESIGN D8), so the table can
// never drift from what is served. `npm run docs` writes it; a test checks it is current.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESOURCES } from '../src/api/index.ts';
import type { Handler } from '../src/api/registry.ts';
import { API_PREFIX } from '../src/model/index.ts';

const NOT_YET = [
  ['machines/ `add_chassis` (chassis probing needs real BMCs) and `clone` (storage/network config is simulated)', 'not planned yet'],
  ['machines/{system_id}/ `mount_special`, `unmount_special` (no filesystems are simulated)', 'not planned yet'],
  ['allocate/read constraints `fabrics`, `not_fabrics`, `fabric_classes`, `not_fabric_classes`, `subnets`, `not_subnets`, `vlans`, `not_vlans`, `link_speed`, `interfaces`, `devices`, `deployment_target`, `not_deployment_target`: accepted unvalidated, match every machine, never in `constraints_by_type` (one simulated network). `storage` is evaluated (root disk, then other disks; no partitions)', 'not planned yet'],
  ['interfaces/, blockdevices/ under nodes/{system_id}/ (rendered inside the machine, not served as resources)', 'not planned yet'],
  ['tag definitions (XPath over lshw) are stored and syntax-checked, never evaluated: simulated machines have no lshw data', 'not planned'],
  ['vm-hosts/ compose `interfaces`, `hugepages_backed`, `pinned_cores`, `domain` are accepted and ignored (one virtio NIC)', 'not planned yet'],
  ['vm-clusters/', 'not planned yet'],
  ['files/, subnets/, fabrics/, vlans/, spaces/, domains/, devices/, …', 'not planned yet'],
  ['account/prefs/sshkeys/, sslkeys/', 'not planned yet'],
];

function rows(handler: Handler | undefined, path: string, kind: string): string[] {
  if (!handler) return [];
  return handler.actions.map((a) => {
    const op = a.op === null ? '—' : `\`${a.op}\``;
    const who = kind === 'anon' ? 'anyone' : a.admin ? 'admin' : 'any user';
    const note = a.hidden ? 'not in describe/ (DESIGN D1)' : '';
    return `| \`${API_PREFIX}${path}\` | ${handler.name} | ${a.method} | ${op} | ${who} | ${note} |`;
  });
}

export function apiCoverage(): string {
  const lines = [
    '# API coverage',
    '',
    'Generated from the handler registry (`src/api/index.ts`) by `npm run docs`; a test fails when',
    'this file is out of date. Each row is one (method, op) signature that maaskit serves.',
    'Dispatch follows MAAS: an unknown op is 400 `Unrecognised signature: method=M op=X`, a method',
    'the handler lacks is 405 with `Allow`, and every op is also served at `<path>op-<name>`.',
    '',
    '| path | handler | method | op | who | note |',
    '|---|---|---|---|---|---|',
    ...RESOURCES.flatMap((r) => [...rows(r.auth, r.path, 'auth'), ...rows(r.anon, r.path, 'anon')]),
    '',
    'Also served outside the handler table:',
    '',
    '- `GET /MAAS/api/2.0/describe/` (any method, anonymous, exactly `application/json`);',
    '- `/MAAS/api/version/` (`2.0`), `/MAAS/api/1.0/…` (410);',
    '- `/MAAS/accounts/login/`, `/MAAS/accounts/logout/`, `/MAAS/account/csrf/`,',
    '  `/MAAS/accounts/authenticate/` (browser sessions and python-libmaas `login()`).',
    '',
    '## Not served yet',
    '',
    '| what | when |',
    '|---|---|',
    ...NOT_YET.map(([what, when]) => `| ${what} | ${when} |`),
    '',
  ];
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('api-coverage.ts')) {
  writeFileSync(join(import.meta.dirname, '..', 'docs', 'api-coverage.md'), apiCoverage());
}
