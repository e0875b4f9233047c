// maaskit seed: perf-dataset machines (5 interfaces, 6 disks each), batched into the store.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { FakeClock, openTestStore, seededRandom } from '../../test/helpers/app.ts';
import { NODE_STATUS } from '../model/index.ts';
import { main } from './main.ts';
import { seedMachines } from './seed.ts';

test('seed: adds N machines with 5 interfaces and 6 disks, mostly Ready or Deployed', async () => {
  const { store, dir } = await openTestStore(new FakeClock());
  try {
    const admin = await store.createUser({ username: 'admin', email: 'a@x', password: 'pw', isSuperuser: true });
    const line = await seedMachines(store, 200, seededRandom('seed'));
    assert.equal(line, 'Seeded 200 machines (5 interfaces and 6 disks each); the store now holds 200 nodes.');
    const nodes = await store.listNodes({});
    assert.equal(nodes.length, 200);
    assert.ok(nodes.every((n) => n.interfaces.length === 5 && n.blockDevices.length === 6));
    const common = nodes.filter((n) => n.status === NODE_STATUS.READY || n.status === NODE_STATUS.DEPLOYED).length;
    assert.ok(common >= 160, `${common} of 200 Ready or Deployed`);
    assert.ok(new Set(nodes.map((n) => n.architecture)).size >= 3);
    const deployed = nodes.filter((n) => n.status === NODE_STATUS.DEPLOYED);
    assert.ok(deployed.every((n) => n.ownerId === admin.id && n.ipAddresses.length === 1 && n.powerState === 'on'));
    assert.equal(new Set(nodes.flatMap((n) => n.interfaces.map((i) => i.macAddress))).size, 1000);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('seed: --machines must be a whole number', async () => {
  let err = '';
  const code = await main(['seed', '--machines', 'many', '--data-dir', '/nonexistent-maaskit'], {
    stdout: () => undefined,
    stderr: (t) => {
      err += t;
    },
    env: {},
  });
  assert.equal(code, 1);
  assert.match(err, /--machines must be a whole number, got 'many'\./);
});
