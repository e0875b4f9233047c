// MAAS's node statuses, their labels, filter names and the legal transitions
// (spec/maas-resources.md §3.1, §3.2). No I/O.

export const NODE_STATUS = {
  NEW: 0,
  COMMISSIONING: 1,
  FAILED_COMMISSIONING: 2,
  MISSING: 3,
  READY: 4,
  RESERVED: 5,
  DEPLOYED: 6,
  RETIRED: 7,
  BROKEN: 8,
  DEPLOYING: 9,
  ALLOCATED: 10,
  FAILED_DEPLOYMENT: 11,
  RELEASING: 12,
  FAILED_RELEASING: 13,
  DISK_ERASING: 14,
  FAILED_DISK_ERASING: 15,
  RESCUE_MODE: 16,
  ENTERING_RESCUE_MODE: 17,
  FAILED_ENTERING_RESCUE_MODE: 18,
  EXITING_RESCUE_MODE: 19,
  FAILED_EXITING_RESCUE_MODE: 20,
  TESTING: 21,
  FAILED_TESTING: 22,
} as const;

export type NodeStatusName = keyof typeof NODE_STATUS;
export type NodeStatus = (typeof NODE_STATUS)[NodeStatusName];

const S = NODE_STATUS;

/** `status_name` per code (spec §3.1). */
export const STATUS_LABELS: Readonly<Record<number, string>> = {
  [S.NEW]: 'New',
  [S.COMMISSIONING]: 'Commissioning',
  [S.FAILED_COMMISSIONING]: 'Failed commissioning',
  [S.MISSING]: 'Missing',
  [S.READY]: 'Ready',
  [S.RESERVED]: 'Reserved',
  [S.DEPLOYED]: 'Deployed',
  [S.RETIRED]: 'Retired',
  [S.BROKEN]: 'Broken',
  [S.DEPLOYING]: 'Deploying',
  [S.ALLOCATED]: 'Allocated',
  [S.FAILED_DEPLOYMENT]: 'Failed deployment',
  [S.RELEASING]: 'Releasing',
  [S.FAILED_RELEASING]: 'Releasing failed',
  [S.DISK_ERASING]: 'Disk erasing',
  [S.FAILED_DISK_ERASING]: 'Failed disk erasing',
  [S.RESCUE_MODE]: 'Rescue mode',
  [S.ENTERING_RESCUE_MODE]: 'Entering rescue mode',
  [S.FAILED_ENTERING_RESCUE_MODE]: 'Failed to enter rescue mode',
  [S.EXITING_RESCUE_MODE]: 'Exiting rescue mode',
  [S.FAILED_EXITING_RESCUE_MODE]: 'Failed to exit rescue mode',
  [S.TESTING]: 'Testing',
  [S.FAILED_TESTING]: 'Failed testing',
};

export function statusLabel(status: number): string {
  return STATUS_LABELS[status] ?? `Unknown (${status})`;
}

/** The `status=` filter names: the constant names in lower case (spec §2.6.1). */
export const STATUS_BY_FILTER_NAME: ReadonlyMap<string, number> = new Map(
  Object.entries(NODE_STATUS).map(([name, code]) => [name.toLowerCase(), code]),
);

/** Simple statuses for `simple_status=` (spec §3.1); anything unlisted is `other`. */
export const SIMPLE_STATUSES: Readonly<Record<string, readonly number[]>> = {
  allocated: [S.ALLOCATED],
  broken: [S.BROKEN],
  commissioning: [S.COMMISSIONING],
  deployed: [S.DEPLOYED],
  deploying: [S.DEPLOYING],
  failed: [
    S.FAILED_COMMISSIONING,
    S.FAILED_DEPLOYMENT,
    S.FAILED_DISK_ERASING,
    S.FAILED_ENTERING_RESCUE_MODE,
    S.FAILED_EXITING_RESCUE_MODE,
    S.FAILED_RELEASING,
    S.FAILED_TESTING,
  ],
  new: [S.NEW],
  ready: [S.READY],
  releasing: [S.DISK_ERASING, S.RELEASING],
  rescue_mode: [S.ENTERING_RESCUE_MODE, S.EXITING_RESCUE_MODE, S.RESCUE_MODE],
  testing: [S.TESTING],
};

export function simpleStatusCodes(name: string): number[] | undefined {
  if (name === 'other') {
    const listed = new Set(Object.values(SIMPLE_STATUSES).flat());
    return Object.values(NODE_STATUS).filter((code) => !listed.has(code));
  }
  const codes = SIMPLE_STATUSES[name];
  return codes ? [...codes] : undefined;
}

// spec §3.2 NODE_TRANSITIONS: allowed targets per source.
const T: Record<number, readonly number[]> = {
  [S.NEW]: [S.COMMISSIONING, S.TESTING, S.MISSING, S.READY, S.RETIRED, S.BROKEN, S.ENTERING_RESCUE_MODE],
  [S.COMMISSIONING]: [S.FAILED_COMMISSIONING, S.READY, S.RETIRED, S.MISSING, S.NEW, S.BROKEN, S.TESTING],
  [S.FAILED_COMMISSIONING]: [S.COMMISSIONING, S.MISSING, S.RETIRED, S.BROKEN, S.ENTERING_RESCUE_MODE, S.TESTING],
  [S.READY]: [S.ENTERING_RESCUE_MODE, S.COMMISSIONING, S.ALLOCATED, S.RESERVED, S.RETIRED, S.MISSING, S.BROKEN, S.TESTING],
  [S.RESERVED]: [S.READY, S.ALLOCATED, S.RETIRED, S.MISSING, S.BROKEN, S.DISK_ERASING, S.RELEASING, S.ENTERING_RESCUE_MODE, S.TESTING],
  [S.ALLOCATED]: [S.READY, S.RETIRED, S.MISSING, S.BROKEN, S.DEPLOYING, S.DISK_ERASING, S.RELEASING, S.ENTERING_RESCUE_MODE, S.TESTING],
  [S.RELEASING]: [
    S.NEW,
    S.ALLOCATED,
    S.RESERVED,
    S.DEPLOYED,
    S.READY,
    S.BROKEN,
    S.MISSING,
    S.FAILED_DEPLOYMENT,
    S.FAILED_DISK_ERASING,
    S.FAILED_RELEASING,
  ],
  [S.DEPLOYING]: [S.ALLOCATED, S.MISSING, S.BROKEN, S.FAILED_DEPLOYMENT, S.DEPLOYED, S.READY, S.DISK_ERASING, S.RELEASING],
  [S.FAILED_DEPLOYMENT]: [S.ALLOCATED, S.MISSING, S.BROKEN, S.READY, S.DISK_ERASING, S.RELEASING, S.ENTERING_RESCUE_MODE, S.TESTING],
  [S.DEPLOYED]: [S.ALLOCATED, S.MISSING, S.BROKEN, S.READY, S.DISK_ERASING, S.RELEASING, S.ENTERING_RESCUE_MODE, S.TESTING],
  [S.MISSING]: [S.NEW, S.READY, S.ALLOCATED, S.COMMISSIONING, S.BROKEN, S.ENTERING_RESCUE_MODE, S.TESTING],
  [S.RETIRED]: [S.NEW, S.READY, S.MISSING, S.BROKEN, S.ENTERING_RESCUE_MODE, S.TESTING],
  [S.BROKEN]: [S.COMMISSIONING, S.READY, S.DISK_ERASING, S.RELEASING, S.ENTERING_RESCUE_MODE, S.TESTING, S.DEPLOYED],
  [S.FAILED_RELEASING]: [S.RELEASING, S.DISK_ERASING, S.READY, S.BROKEN, S.TESTING],
  [S.DISK_ERASING]: [S.BROKEN, S.DISK_ERASING, S.FAILED_DISK_ERASING, S.READY, S.RELEASING],
  [S.FAILED_DISK_ERASING]: [S.DISK_ERASING, S.RELEASING, S.BROKEN, S.ALLOCATED, S.READY, S.ENTERING_RESCUE_MODE, S.TESTING],
  [S.ENTERING_RESCUE_MODE]: [S.READY, S.BROKEN, S.DEPLOYED, S.RESCUE_MODE, S.FAILED_ENTERING_RESCUE_MODE, S.EXITING_RESCUE_MODE],
  [S.FAILED_ENTERING_RESCUE_MODE]: [S.BROKEN, S.ENTERING_RESCUE_MODE, S.EXITING_RESCUE_MODE, S.TESTING],
  [S.RESCUE_MODE]: [S.BROKEN, S.EXITING_RESCUE_MODE, S.TESTING],
  [S.EXITING_RESCUE_MODE]: [
    S.NEW,
    S.BROKEN,
    S.FAILED_COMMISSIONING,
    S.READY,
    S.RESERVED,
    S.ALLOCATED,
    S.FAILED_DEPLOYMENT,
    S.DEPLOYED,
    S.MISSING,
    S.RETIRED,
    S.FAILED_RELEASING,
    S.FAILED_DISK_ERASING,
    S.RESCUE_MODE,
    S.FAILED_ENTERING_RESCUE_MODE,
    S.FAILED_EXITING_RESCUE_MODE,
    S.FAILED_TESTING,
  ],
  [S.FAILED_EXITING_RESCUE_MODE]: [S.BROKEN, S.EXITING_RESCUE_MODE, S.TESTING],
  [S.TESTING]: [
    S.BROKEN,
    S.NEW,
    S.READY,
    S.RESERVED,
    S.ALLOCATED,
    S.DEPLOYED,
    S.COMMISSIONING,
    S.FAILED_DEPLOYMENT,
    S.MISSING,
    S.RETIRED,
    S.FAILED_RELEASING,
    S.FAILED_DISK_ERASING,
    S.FAILED_ENTERING_RESCUE_MODE,
    S.FAILED_EXITING_RESCUE_MODE,
    S.FAILED_TESTING,
  ],
  [S.FAILED_TESTING]: [S.COMMISSIONING, S.BROKEN, S.MISSING, S.ENTERING_RESCUE_MODE, S.TESTING, S.READY, S.DEPLOYED],
};

/** Whether `from → to` is legal; setting the same status again always is (spec §3.2). */
export function canTransition(from: number, to: number): boolean {
  return from === to || (T[from]?.includes(to) ?? false);
}

/** MAAS's 409 text for an illegal transition (spec §3.2). */
export function invalidTransitionMessage(from: number, to: number): string {
  return `Invalid transition: ${statusLabel(from)} -> ${statusLabel(to)}.`;
}

/** Rescue-mode and testing statuses are not recorded as previous_status (spec §3.2 side rules). */
export function recordsPreviousStatus(from: number): boolean {
  return ![S.RESCUE_MODE, S.ENTERING_RESCUE_MODE, S.EXITING_RESCUE_MODE, S.FAILED_ENTERING_RESCUE_MODE, S.FAILED_EXITING_RESCUE_MODE, S.TESTING].includes(
    from as never,
  );
}

export const NODE_TYPE = { MACHINE: 0, DEVICE: 1, RACK_CONTROLLER: 2, REGION_CONTROLLER: 3, REGION_AND_RACK_CONTROLLER: 4 } as const;

export const NODE_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'Machine',
  1: 'Device',
  2: 'Rack controller',
  3: 'Region controller',
  4: 'Region and rack controller',
};

/** Script-result status names (spec §2.6.5). */
export function scriptStatusName(status: number): string {
  return (
    [
      'Pending',
      'Running',
      'Passed',
      'Failed',
      'Timed out',
      'Aborted',
      'Degraded',
      'Installing',
      'Failed installing',
      'Skipped',
      'Applying custom network configuration',
      'Failed to apply custom network configuration',
    ][status] ?? 'Unknown'
  );
}
