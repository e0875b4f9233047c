// The machine lifecycle as pure functions (spec/maas-resources.md §3.2, §3.3): each op looks at
// a node and answers the change to make now and, for the asynchronous part real MAAS does
// later, the step to schedule (DESIGN D7). The store applies a Step in one transaction.
import type { NodeRecord } from './machine.ts';
import { NODE_STATUS as S, canTransition, invalidTransitionMessage, recordsPreviousStatus, statusLabel } from './node-status.ts';

/** The column changes a step makes; absent fields stay as they are. */
export interface NodeChanges {
  status?: number;
  previousStatus?: number;
  ownerId?: number | null;
  powerState?: string;
  osystem?: string;
  distroSeries?: string;
  hweKernel?: string | null;
  agentName?: string;
  errorDescription?: string;
  statusMessage?: string | null;
  statusAction?: string | null;
  locked?: boolean;
  enlisting?: boolean;
  ownerData?: Record<string, string>;
  commissioningStatus?: number;
  testingStatus?: number;
  ephemeralDeploy?: boolean;
  enableHwSync?: boolean;
}

/** Simulated asynchronous steps; the store keeps at most one pending per node. */
export type TransitionKind =
  | 'commissioning'
  | 'commissioning_testing'
  | 'testing'
  | 'deploying'
  | 'releasing'
  | 'erasing'
  | 'abort'
  | 'rescue_enter'
  | 'rescue_exit';

export interface Schedule {
  kind: TransitionKind;
  /** Due at once (the post-commit part of abort), rather than after the transition delay. */
  immediate?: boolean;
}

export interface Step {
  changes: NodeChanges;
  /** A step to schedule; null cancels a pending one; undefined leaves it. */
  schedule?: Schedule | null;
  /** Claim addresses for the interfaces (deploy) or give them back (release). */
  ips?: 'assign' | 'release';
  /** The op changed nothing (e.g. release of a Ready machine). */
  noop?: boolean;
}

export type LifecycleErrorKind = 'conflict' | 'forbidden' | 'validation' | 'bad_request';

/** A refused op; the API maps kind to 409/403/400 (spec §5). */
export class LifecycleError extends Error {
  readonly kind: LifecycleErrorKind;
  readonly fields: Record<string, string[]> | undefined;
  constructor(kind: LifecycleErrorKind, message: string, fields?: Record<string, string[]>) {
    super(message);
    this.name = 'LifecycleError';
    this.kind = kind;
    this.fields = fields;
  }
}

const conflict = (message: string) => new LifecycleError('conflict', message);
const notAvailable = (action: string) =>
  new LifecycleError('validation', `${action} is not available because of the current state of the node.`, {
    __all__: [`${action} is not available because of the current state of the node.`],
  });

/**
 * A status change with MAAS's side rules (spec §3.2): illegal → 409 `Invalid transition`;
 * previous_status records the old status unless it was a rescue or testing status; entering
 * NEW or READY clears the owner.
 */
export function statusChange(node: Pick<NodeRecord, 'status'>, to: number): NodeChanges {
  if (!canTransition(node.status, to)) throw conflict(invalidTransitionMessage(node.status, to));
  const changes: NodeChanges = { status: to };
  if (node.status !== to && recordsPreviousStatus(node.status)) changes.previousStatus = node.status;
  if (to === S.NEW || to === S.READY) changes.ownerId = null;
  return changes;
}

/** Release clears what a deployment set (spec §3.2). */
const RELEASED: NodeChanges = { osystem: '', distroSeries: '', hweKernel: null, agentName: '', ownerData: {}, ephemeralDeploy: false, enableHwSync: false };

/** Power types whose state maaskit pretends it cannot query: release is then immediate (spec §3.3). */
export function powerQueryable(powerType: string): boolean {
  return powerType !== '' && powerType !== 'manual';
}

export interface CommissionOptions {
  /** testing_scripts=none: go straight to READY after commissioning. */
  skipTesting?: boolean;
}

// node_action Commission (spec §3.3).
const COMMISSIONABLE: readonly number[] = [S.NEW, S.FAILED_COMMISSIONING, S.READY, S.BROKEN];

export function commission(node: NodeRecord, callerId: number, options: CommissionOptions = {}): Step {
  if (!COMMISSIONABLE.includes(node.status) || node.locked) throw notAvailable('Commission');
  return {
    changes: {
      ...statusChange(node, S.COMMISSIONING),
      ownerId: callerId,
      powerState: 'on',
      commissioningStatus: 1,
      testingStatus: options.skipTesting ? node.testingStatus : 0,
      statusMessage: 'Commissioning',
      statusAction: 'commissioning',
    },
    schedule: { kind: options.skipTesting ? 'commissioning' : 'commissioning_testing' },
  };
}

/** accept: NEW starts commissioning; READY/COMMISSIONING are skipped (undefined); others 409 (spec §3.3). */
export function accept(node: NodeRecord, callerId: number): Step | undefined {
  if (node.status === S.READY || node.status === S.COMMISSIONING) return undefined;
  if (node.status !== S.NEW) {
    throw conflict(`Cannot accept node enlistment: node ${node.systemId} is in state ${statusLabel(node.status)}.`);
  }
  return commission(node, callerId);
}

/** The allocation change (the store applies it with a conditional UPDATE, spec §2.6.3). */
export function allocation(callerId: number, agentName: string): NodeChanges {
  return {
    status: S.ALLOCATED,
    previousStatus: S.READY,
    ownerId: callerId,
    agentName,
    statusMessage: 'User acquiring node',
    statusAction: 'acquire',
  };
}

export interface DeployOptions {
  osystem: string;
  distroSeries: string;
  hweKernel: string | null;
  agentName?: string;
  ephemeralDeploy?: boolean;
  enableHwSync?: boolean;
}

/**
 * deploy (spec §3.3): a READY machine is acquired first (another owner → 409); then only
 * ALLOCATED may deploy (409 `Can't deploy a machine that is in the '<label>' state`, no full stop).
 */
export function deploy(node: NodeRecord, callerId: number, options: DeployOptions): Step {
  let status = node.status;
  let changes: NodeChanges = {};
  if (status === S.READY) {
    if (node.ownerId !== null && node.ownerId !== callerId) throw conflict("Can't allocate a machine belonging to another user.");
    changes = allocation(callerId, options.agentName ?? node.agentName);
    status = S.ALLOCATED;
  }
  if (status !== S.ALLOCATED) throw conflict(`Can't deploy a machine that is in the '${statusLabel(status)}' state`);
  return {
    changes: {
      ...changes,
      status: S.DEPLOYING,
      previousStatus: S.ALLOCATED,
      powerState: 'on',
      osystem: options.osystem,
      distroSeries: options.distroSeries,
      hweKernel: options.hweKernel,
      ...(options.agentName === undefined ? {} : { agentName: options.agentName }),
      ephemeralDeploy: options.ephemeralDeploy ?? false,
      enableHwSync: options.enableHwSync ?? false,
      statusMessage: 'Deploying',
      statusAction: 'deploy',
    },
    schedule: { kind: 'deploying' },
    ips: 'assign',
  };
}

const RELEASABLE: readonly number[] = [
  S.ALLOCATED,
  S.RESERVED,
  S.BROKEN,
  S.DEPLOYING,
  S.DEPLOYED,
  S.FAILED_DEPLOYMENT,
  S.FAILED_DISK_ERASING,
  S.FAILED_RELEASING,
];

export function isReleasable(status: number): boolean {
  return RELEASABLE.includes(status);
}

export function releaseRefusal(node: Pick<NodeRecord, 'status'>): string {
  return `Machine cannot be released in its current state ('${statusLabel(node.status)}').`;
}

/**
 * release (spec §3.3): READY or RELEASING is a no-op; erase → DISK_ERASING; RELEASING, or READY
 * at once when the power is already off or cannot be queried.
 */
export function release(node: NodeRecord, options: { erase?: boolean } = {}): Step {
  if (node.status === S.READY || node.status === S.RELEASING) return { changes: {}, noop: true };
  if (!isReleasable(node.status)) throw conflict(releaseRefusal(node));
  if (options.erase) {
    return {
      changes: { ...statusChange(node, S.DISK_ERASING), ...RELEASED, statusMessage: 'Erasing disk', statusAction: 'erase' },
      schedule: { kind: 'erasing' },
      ips: 'release',
    };
  }
  if (node.powerState === 'off' || !powerQueryable(node.powerType)) {
    return {
      changes: { ...statusChange(node, S.READY), ...RELEASED, powerState: 'off', statusMessage: 'Released', statusAction: 'release' },
      schedule: null,
      ips: 'release',
    };
  }
  return {
    changes: { ...statusChange(node, S.RELEASING), ...RELEASED, statusMessage: 'Releasing', statusAction: 'release' },
    schedule: { kind: 'releasing' },
    ips: 'release',
  };
}

const ABORTABLE: readonly number[] = [S.COMMISSIONING, S.DISK_ERASING, S.DEPLOYING, S.TESTING];

/** abort (spec §3.3): the response still shows the old status; the change is due at once. */
export function abort(node: NodeRecord): Step {
  if (!ABORTABLE.includes(node.status)) {
    throw conflict(`Cannot abort in current state: node ${node.systemId} is in state ${statusLabel(node.status)}.`);
  }
  return { changes: {}, schedule: { kind: 'abort', immediate: true } };
}

/** power_on (spec §3.3): unowned → 409; ALLOCATED deploys. */
export function powerOn(node: NodeRecord, callerId: number, deployOptions: DeployOptions): Step {
  if (node.ownerId === null) throw conflict("Can't start node: it hasn't been allocated.");
  if (node.status === S.ALLOCATED) return deploy(node, callerId, deployOptions);
  return { changes: { powerState: 'on' } };
}

export function powerOff(): Step {
  return { changes: { powerState: 'off' } };
}

/** mark_broken (spec §3.3): from any status; error_description = comment. */
export function markBroken(node: NodeRecord, comment: string): Step {
  return {
    changes: { ...statusChange(node, S.BROKEN), powerState: 'off', errorDescription: comment, statusMessage: 'Marking node broken', statusAction: 'mark_broken' },
    schedule: null,
  };
}

/** mark_fixed (spec §3.3): BROKEN only → READY, or DEPLOYED if it was deployed before. */
export function markFixed(node: NodeRecord): Step {
  if (node.status !== S.BROKEN) throw conflict("Can't mark a non-broken node as 'Ready'.");
  if (node.previousStatus === S.DEPLOYED) {
    return { changes: { ...statusChange(node, S.DEPLOYED), errorDescription: '' } };
  }
  return { changes: { ...statusChange(node, S.READY), errorDescription: '', osystem: '', distroSeries: '' } };
}

export function lock(node: NodeRecord): Step {
  if (node.status !== S.DEPLOYED && node.status !== S.DEPLOYING) throw conflict("Can't lock, node is not deployed or deploying");
  if (node.locked) throw conflict('Machine is already locked');
  return { changes: { locked: true } };
}

export function unlock(node: NodeRecord): Step {
  if (!node.locked) throw conflict('Machine is not locked');
  return { changes: { locked: false } };
}

export function rescueMode(node: NodeRecord, callerId: number): Step {
  return {
    changes: { ...statusChange(node, S.ENTERING_RESCUE_MODE), ownerId: callerId, powerState: 'on', statusMessage: 'Entering rescue mode' },
    schedule: { kind: 'rescue_enter' },
  };
}

export function exitRescueMode(node: NodeRecord): Step {
  return { changes: { ...statusChange(node, S.EXITING_RESCUE_MODE), statusMessage: 'Exiting rescue mode' }, schedule: { kind: 'rescue_exit' } };
}

// node_action Test (spec §3.3).
const TESTABLE: readonly number[] = [
  S.NEW, S.READY, S.RESERVED, S.ALLOCATED, S.DEPLOYED, S.MISSING, S.RETIRED, S.BROKEN, S.RESCUE_MODE, S.FAILED_COMMISSIONING,
  S.FAILED_DEPLOYMENT, S.FAILED_RELEASING, S.FAILED_DISK_ERASING, S.FAILED_ENTERING_RESCUE_MODE, S.FAILED_EXITING_RESCUE_MODE,
  S.FAILED_TESTING,
];

export function test(node: NodeRecord): Step {
  if (!TESTABLE.includes(node.status) || node.locked) throw notAvailable('Test');
  return { changes: { ...statusChange(node, S.TESTING), testingStatus: 1, statusMessage: 'Testing' }, schedule: { kind: 'testing' } };
}

export function overrideFailedTesting(node: NodeRecord): Step {
  if (node.status !== S.FAILED_TESTING) {
    throw conflict("Unable to override node status. Node is not in 'Failed testing' status.");
  }
  return { changes: { ...statusChange(node, node.osystem === '' ? S.READY : S.DEPLOYED), testingStatus: 2 } };
}

/** set_workload_annotations / set_owner_data: the caller must own it; an empty value deletes. */
export function setOwnerData(node: NodeRecord, callerId: number, pairs: Array<[string, string]>): Step {
  if (node.ownerId !== callerId) throw conflict("Cannot set workload annotation: it hasn't been acquired.");
  const data = { ...node.ownerData };
  for (const [key, value] of pairs) {
    if (value === '') delete data[key];
    else data[key] = value;
  }
  return { changes: { ownerData: data } };
}

// testing (spec §3.3 `test`): where a finished test run goes, by the status before it.
const TEST_TO_READY: readonly number[] = [
  S.NEW, S.COMMISSIONING, S.MISSING, S.RETIRED, S.BROKEN, S.FAILED_DEPLOYMENT, S.FAILED_RELEASING, S.FAILED_DISK_ERASING,
  S.FAILED_ENTERING_RESCUE_MODE, S.FAILED_EXITING_RESCUE_MODE, S.FAILED_TESTING,
];

/** Where a test run returns (spec §3.3 `test`). */
export function afterTesting(previous: number): number {
  if (TEST_TO_READY.includes(previous)) return S.READY;
  if (previous === S.FAILED_COMMISSIONING) return S.NEW;
  return previous;
}

const EXPECTED: Readonly<Record<TransitionKind, readonly number[]>> = {
  commissioning: [S.COMMISSIONING],
  commissioning_testing: [S.COMMISSIONING],
  testing: [S.TESTING],
  deploying: [S.DEPLOYING],
  releasing: [S.RELEASING],
  erasing: [S.DISK_ERASING],
  abort: [S.COMMISSIONING, S.DISK_ERASING, S.DEPLOYING, S.TESTING],
  rescue_enter: [S.ENTERING_RESCUE_MODE],
  rescue_exit: [S.EXITING_RESCUE_MODE],
};

function commissioned(node: NodeRecord): NodeChanges {
  // An enlisting NEW machine returns to NEW (spec §2.6.2); otherwise READY, owner cleared, off.
  const to = node.enlisting ? S.NEW : S.READY;
  return { ...statusChange(node, to), powerState: 'off', enlisting: false, statusMessage: 'Ready', statusAction: '' };
}

/**
 * What a due step does when it comes (spec §3.3, "asynchronous follow-up"). Undefined when the
 * node is no longer in the status the step expects (it was changed meanwhile): the step lapses.
 */
export function completeTransition(kind: TransitionKind, node: NodeRecord): Step | undefined {
  if (!EXPECTED[kind].includes(node.status)) return undefined;
  switch (kind) {
    case 'commissioning':
      return { changes: { ...commissioned(node), commissioningStatus: 2 }, schedule: null };
    case 'commissioning_testing':
      // Commissioning scripts passed; the default tests run next (COMMISSIONING → TESTING → READY).
      return {
        changes: { ...statusChange(node, S.TESTING), commissioningStatus: 2, testingStatus: 1, statusMessage: 'Testing' },
        schedule: { kind: 'testing' },
      };
    case 'testing': {
      let to = afterTesting(node.previousStatus);
      if (node.previousStatus === S.COMMISSIONING && node.enlisting) to = S.NEW;
      const changes: NodeChanges = { ...statusChange(node, to), testingStatus: 2 };
      if (to === S.READY || to === S.NEW) Object.assign(changes, { powerState: 'off', enlisting: false, statusMessage: 'Ready', statusAction: '' });
      return { changes, schedule: null };
    }
    case 'deploying':
      return { changes: { ...statusChange(node, S.DEPLOYED), powerState: 'on', statusMessage: 'Deployed', statusAction: '' }, schedule: null };
    case 'releasing':
    case 'erasing':
      return {
        changes: { ...statusChange(node, S.READY), ...RELEASED, powerState: 'off', statusMessage: 'Released', statusAction: '' },
        schedule: null,
      };
    case 'abort':
      return abortNow(node);
    case 'rescue_enter':
      return { changes: { ...statusChange(node, S.RESCUE_MODE), statusMessage: 'Rescue mode' }, schedule: null };
    case 'rescue_exit': {
      const to = node.previousStatus;
      const changes = { ...statusChange(node, to), powerState: to === S.DEPLOYED ? 'on' : 'off' };
      if (to !== S.DEPLOYED) changes.ownerId = null;
      return { changes, schedule: null };
    }
  }
}

// The post-commit part of abort (spec §3.3).
function abortNow(node: NodeRecord): Step {
  const off: NodeChanges = { powerState: 'off', statusMessage: 'Aborted', statusAction: 'abort' };
  switch (node.status) {
    case S.COMMISSIONING:
      return { changes: { ...statusChange(node, S.NEW), ...off, commissioningStatus: 5 }, schedule: null };
    case S.DEPLOYING:
      return { changes: { ...statusChange(node, S.ALLOCATED), ...off, osystem: '', distroSeries: '' }, schedule: null, ips: 'release' };
    case S.DISK_ERASING:
      return { changes: { ...statusChange(node, S.FAILED_DISK_ERASING), ...off }, schedule: null };
    default:
      return { changes: { ...statusChange(node, node.previousStatus), ...off, testingStatus: 5 }, schedule: null };
  }
}
