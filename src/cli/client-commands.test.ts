import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actionCommandName, commandResources, resourceCommandName } from './client-commands.ts';
import { formatExchange, renderTable } from './client-output.ts';
import { checkProfileName, configDir, type Profile } from './profiles.ts';

test('client-commands: resource names are derived from handler names as the maas CLI does', () => {
  assert.equal(resourceCommandName('MachinesHandler'), 'machines');
  assert.equal(resourceCommandName('MachineHandler'), 'machine');
  assert.equal(resourceCommandName('AccountHandler'), 'account');
  assert.equal(resourceCommandName('ResourcePoolsHandler'), 'resource-pools');
  assert.equal(resourceCommandName('VmHostsHandler'), 'vm-hosts');
  assert.equal(resourceCommandName('IPAddressesHandler'), 'ipaddresses');
  assert.equal(resourceCommandName('DNSResourcesHandler'), 'dnsresources');
  assert.equal(resourceCommandName('AnonMachinesHandler'), 'anon-machines');
  assert.equal(actionCommandName({ method: 'POST', name: 'create_authorisation_token', op: 'create_authorisation_token' }), 'create-authorisation-token');
});

const handler = (name: string, actions: Array<[string, string]>, params: string[] = []) => ({
  name,
  params,
  path: `/MAAS/api/2.0/${name.toLowerCase()}/`,
  actions: actions.map(([method, n]) => ({ method, name: n, op: n === 'read' ? null : n })),
});

function profile(credentials: Profile['credentials']): Profile {
  return {
    name: 'dev',
    url: 'http://h/MAAS/api/2.0/',
    credentials,
    description: {
      resources: [
        { name: 'MachinesHandler', auth: handler('MachinesHandler', [['GET', 'read'], ['GET', 'is_registered']]), anon: handler('AnonMachinesHandler', [['GET', 'is_registered'], ['GET', 'is_action_in_progress']]) },
        { name: 'AccountHandler', auth: handler('AccountHandler', [['POST', 'create_authorisation_token']]), anon: null },
      ],
    },
  };
}

test('client-commands: auth then anon actions with credentials, the first of each name; anon only without', () => {
  const withKey = commandResources(profile(['a', 'b', 'c']));
  assert.deepEqual([...withKey.keys()], ['account', 'machines']);
  const machines = withKey.get('machines')!;
  assert.deepEqual([...machines.actions.keys()], ['read', 'is-registered', 'is-action-in-progress']);
  assert.equal(machines.actions.get('is-registered')!.handler.name, 'MachinesHandler');
  assert.equal(machines.actions.get('is-action-in-progress')!.handler.name, 'AnonMachinesHandler');
  const anonymous = commandResources(profile(null));
  assert.deepEqual([...anonymous.keys()], ['machines']);
  assert.deepEqual([...anonymous.get('machines')!.actions.keys()], ['is-registered', 'is-action-in-progress']);
});

test('client-commands: profile names may not be commands; config dir follows XDG', () => {
  assert.throws(() => checkProfileName('serve'), /'serve' cannot be a profile name: it is a maaskit command/);
  assert.throws(() => checkProfileName('-x'), /cannot be a profile name/);
  checkProfileName('dev');
  assert.equal(configDir({ XDG_CONFIG_HOME: '/x', HOME: '/h' }), '/x/maaskit');
  assert.equal(configDir({ HOME: '/h' }), '/h/.config/maaskit');
  assert.equal(configDir({ XDG_CONFIG_HOME: 'relative', HOME: '/h' }), '/h/.config/maaskit');
});

test('client-output: tables for lists and objects', () => {
  assert.equal(
    renderTable([
      { system_id: 'abc', hostname: 'n1', status_name: 'Ready', zone: { name: 'default' }, memory: 1024 },
      { system_id: 'def', hostname: 'node-2', status_name: 'Deployed', zone: { name: 'z' }, memory: 2048 },
    ]),
    'SYSTEM_ID  HOSTNAME  STATUS_NAME  MEMORY\nabc        n1        Ready        1024\ndef        node-2    Deployed     2048',
  );
  assert.equal(renderTable({ username: 'admin', is_superuser: true }), 'username      admin\nis_superuser  true');
  assert.equal(renderTable([]), '(none)');
});

test('client-output: --debug redacts Authorization, cookies and Set-Cookie', () => {
  const text = formatExchange({
    method: 'GET',
    url: 'http://h/MAAS/api/2.0/users/?op=whoami',
    requestHeaders: { Authorization: 'OAuth oauth_signature_method="PLAINTEXT", oauth_signature="%26SECRET"', Cookie: 'sessionid=S3' },
    status: 200,
    responseHeaders: new Headers({ 'set-cookie': 'sessionid=S4', 'x-maas-api-hash': 'h' }),
    attempt: 1,
  });
  assert.ok(!text.includes('SECRET') && !text.includes('S3') && !text.includes('S4'));
  assert.match(text, /> Authorization: OAuth \[redacted; PLAINTEXT\]/);
  assert.match(text, /< x-maas-api-hash: h/);
});
