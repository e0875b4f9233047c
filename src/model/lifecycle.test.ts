// The status table and the lifecycle's pure functions (spec/maas-resources.md §3).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom } from '../../test/helpers/app.ts';
import { generateHardware, generateSystemId, normaliseMac } from './hardware.ts';
import * as lifecycle from './lifecycle.ts';
import { LifecycleError } from './lifecycle.ts';
import type { NodeRecord } from './machine.ts';
import { canTransition, invalidTransitionMessage, NODE_STATUS as S, STATUS_LABELS, simpleStatusCodes, statusLabel } from './node-status.ts';

function node(overrides: Partial<NodeRecord> = {}): NodeRecord {
  return {
    id: 1, systemId: 'abc678', nodeType: 0, hostname: 'h', description: '', architecture: 'amd64/generic', minHweKernel: null,
    hweKernel: null, status: S.READY, previousStatus: S.NEW, ownerId: null, owner: null, zone: { id: 1, name: 'default', description: '' },
    pool: { id: 0, name: 'default', description: 'Default pool' }, cpuCount: 4, cpuSpeed: 2000, memory: 8192, swapSize: null,
    powerType: 'virsh', powerState: 'off', powerParameters: {}, osystem: '', distroSeries: '', agentName: '', errorDescription: '',
    statusMessage: null, statusAction: null, locked: false, netboot: true, enlisting: false, ephemeralDeploy: false, enableHwSync: false,
    isDpu: false, commissioningStatus: 2, testingStatus: 2, ownerData: {}, hardwareInfo: {}, hardwareUuid: null, biosBootMethod: null,
    dynamic: false, podId: null, podName: null, createdAt: 0, updatedAt: 0, ...overrides,
  };
}

const conflictOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof LifecycleError);
    return error;
  }
  assert.fail('expected a LifecycleError');
};

describe('node status', () => {
  test('status: 23 statuses with MAAS labels', () => {
    assert.equal(Object.keys(S).length, 23);
    assert.equal(Object.keys(STATUS_LABELS).length, 23);
    assert.equal(statusLabel(S.FAILED_RELEASING), 'Releasing failed');
    assert.equal(statusLabel(S.FAILED_ENTERING_RESCUE_MODE), 'Failed to enter rescue mode');
  });
  test('status: transitions follow the table; the same status is always allowed', () => {
    assert.equal(canTransition(S.READY, S.ALLOCATED), true);
    assert.equal(canTransition(S.READY, S.DEPLOYED), false);
    assert.equal(canTransition(S.DEPLOYED, S.DEPLOYED), true);
    assert.equal(canTransition(S.RESCUE_MODE, S.READY), false);
    assert.equal(invalidTransitionMessage(S.READY, S.DEPLOYED), 'Invalid transition: Ready -> Deployed.');
  });
  test('status: simple statuses group codes; other is the rest', () => {
    assert.deepEqual(simpleStatusCodes('releasing'), [S.DISK_ERASING, S.RELEASING]);
    assert.deepEqual(simpleStatusCodes('other'), [S.MISSING, S.RESERVED, S.RETIRED]);
    assert.equal(simpleStatusCodes('bogus'), undefined);
  });
});

describe('lifecycle', () => {
  test('lifecycle: an illegal status change is a 409 Invalid transition', () => {
    const e = conflictOf(() => lifecycle.statusChange(node({ status: S.READY }), S.DEPLOYED));
    assert.equal(e.kind, 'conflict');
    assert.equal(e.message, 'Invalid transition: Ready -> Deployed.');
  });
  test('lifecycle: entering NEW or READY clears the owner; testing is not recorded as previous', () => {
    assert.equal(lifecycle.statusChange(node({ status: S.RELEASING, ownerId: 3 }), S.READY).ownerId, null);
    assert.equal(lifecycle.statusChange(node({ status: S.TESTING }), S.READY).previousStatus, undefined);
    assert.equal(lifecycle.statusChange(node({ status: S.DEPLOYED }), S.BROKEN).previousStatus, S.DEPLOYED);
  });
  test('lifecycle: commission goes COMMISSIONING → TESTING → READY, owner cleared', () => {
    const step = lifecycle.commission(node({ status: S.NEW }), 7);
    assert.equal(step.changes.status, S.COMMISSIONING);
    assert.equal(step.changes.ownerId, 7);
    assert.equal(step.schedule?.kind, 'commissioning_testing');
    const testing = lifecycle.completeTransition('commissioning_testing', node({ status: S.COMMISSIONING, ownerId: 7 }))!;
    assert.equal(testing.changes.status, S.TESTING);
    const done = lifecycle.completeTransition('testing', node({ status: S.TESTING, previousStatus: S.COMMISSIONING, ownerId: 7 }))!;
    assert.equal(done.changes.status, S.READY);
    assert.equal(done.changes.ownerId, null);
    assert.equal(done.changes.powerState, 'off');
  });
  test('lifecycle: an enlisting machine returns to NEW after commissioning', () => {
    const done = lifecycle.completeTransition('testing', node({ status: S.TESTING, previousStatus: S.COMMISSIONING, enlisting: true }))!;
    assert.equal(done.changes.status, S.NEW);
  });
  test('lifecycle: commission from ALLOCATED is the __all__ validation error', () => {
    const e = conflictOf(() => lifecycle.commission(node({ status: S.ALLOCATED }), 1));
    assert.equal(e.kind, 'validation');
    assert.deepEqual(e.fields, { __all__: ['Commission is not available because of the current state of the node.'] });
  });
  test('lifecycle: deploy acquires a READY machine, refuses other owners and other states', () => {
    const opts = { osystem: 'ubuntu', distroSeries: 'jammy', hweKernel: null };
    const step = lifecycle.deploy(node(), 5, opts);
    assert.equal(step.changes.status, S.DEPLOYING);
    assert.equal(step.changes.ownerId, 5);
    assert.equal(step.ips, 'assign');
    assert.equal(conflictOf(() => lifecycle.deploy(node({ ownerId: 9 }), 5, opts)).message, "Can't allocate a machine belonging to another user.");
    assert.equal(conflictOf(() => lifecycle.deploy(node({ status: S.NEW }), 5, opts)).message, "Can't deploy a machine that is in the 'New' state");
  });
  test('lifecycle: power_on deploys an ALLOCATED machine', () => {
    const step = lifecycle.powerOn(node({ status: S.ALLOCATED, ownerId: 5 }), 5, { osystem: 'ubuntu', distroSeries: 'noble', hweKernel: null });
    assert.equal(step.changes.status, S.DEPLOYING);
    assert.equal(conflictOf(() => lifecycle.powerOn(node(), 5, { osystem: 'u', distroSeries: 'n', hweKernel: null })).message, "Can't start node: it hasn't been allocated.");
  });
  test('lifecycle: release is immediate with an unqueryable power type, else RELEASING; erase → DISK_ERASING', () => {
    assert.equal(lifecycle.release(node({ status: S.DEPLOYED, powerType: 'manual', powerState: 'on' })).changes.status, S.READY);
    assert.equal(lifecycle.release(node({ status: S.DEPLOYED, powerState: 'on' })).changes.status, S.RELEASING);
    assert.equal(lifecycle.release(node({ status: S.DEPLOYED, powerState: 'on' }), { erase: true }).changes.status, S.DISK_ERASING);
    assert.equal(lifecycle.release(node()).noop, true);
    assert.equal(conflictOf(() => lifecycle.release(node({ status: S.NEW }))).message, "Machine cannot be released in its current state ('New').");
  });
  test('lifecycle: abort changes nothing now and schedules the post-commit change', () => {
    const step = lifecycle.abort(node({ status: S.DEPLOYING }));
    assert.deepEqual(step.changes, {});
    assert.deepEqual(step.schedule, { kind: 'abort', immediate: true });
    assert.equal(lifecycle.completeTransition('abort', node({ status: S.DEPLOYING }))!.changes.status, S.ALLOCATED);
    assert.equal(lifecycle.completeTransition('abort', node({ status: S.COMMISSIONING, ownerId: 1 }))!.changes.ownerId, null);
    assert.equal(lifecycle.completeTransition('abort', node({ status: S.DISK_ERASING }))!.changes.status, S.FAILED_DISK_ERASING);
    assert.equal(conflictOf(() => lifecycle.abort(node())).message, 'Cannot abort in current state: node abc678 is in state Ready.');
  });
  test('lifecycle: a step lapses when the node has moved on', () => {
    assert.equal(lifecycle.completeTransition('deploying', node({ status: S.READY })), undefined);
  });
  test('lifecycle: mark_fixed returns to DEPLOYED when it was deployed', () => {
    assert.equal(lifecycle.markFixed(node({ status: S.BROKEN, previousStatus: S.DEPLOYED })).changes.status, S.DEPLOYED);
    assert.equal(lifecycle.markFixed(node({ status: S.BROKEN })).changes.status, S.READY);
  });
  test('lifecycle: testing returns by the status before it', () => {
    assert.equal(lifecycle.afterTesting(S.DEPLOYED), S.DEPLOYED);
    assert.equal(lifecycle.afterTesting(S.BROKEN), S.READY);
    assert.equal(lifecycle.afterTesting(S.FAILED_COMMISSIONING), S.NEW);
  });
});

describe('hardware', () => {
  test('hardware: system ids are 6 znum characters; seeded randomness repeats', () => {
    const a = generateSystemId(seededRandom('x'));
    assert.match(a, /^[34678abcdefghkmnpqrstwxy]{6}$/);
    assert.equal(generateSystemId(seededRandom('x')), a);
  });
  test('hardware: given MACs are used; the first interface and disk boot', () => {
    const hw = generateHardware(seededRandom(), { macs: ['52:54:00:00:00:01'], interfaces: 5, disks: 6 });
    assert.equal(hw.interfaces.length, 5);
    assert.equal(hw.blockDevices.length, 6);
    assert.equal(hw.interfaces[0]!.macAddress, '52:54:00:00:00:01');
    assert.equal(hw.interfaces[0]!.isBoot, true);
    assert.equal(hw.blockDevices.filter((d) => d.isBoot).length, 1);
    assert.equal(new Set(hw.interfaces.map((i) => i.macAddress)).size, 5);
    assert.equal(Object.keys(hw.hardwareInfo).length, 18);
  });
  test('hardware: MACs normalise to lower-case colon form', () => {
    assert.equal(normaliseMac('52-54-00-AB-CD-EF'), '52:54:00:ab:cd:ef');
    assert.equal(normaliseMac('5254.00ab.cdef'), '52:54:00:ab:cd:ef');
    assert.equal(normaliseMac('nope'), undefined);
  });
});
