// `maaskit seed --machines N`: fills a store with machines shaped like MAAS's performance
// dataset — 5 interfaces and 6 disks each, several architectures, mostly Ready or Deployed —
// for demos and benchmarks. Batched inserts (src/store/machines.ts createNodes).
import { generateHardware, generateHostname, NODE_STATUS, type RandomBytes, randomInt } from '../model/index.ts';
import type { NewNode, Store } from '../store/index.ts';

const ARCHS = ['amd64/generic', 'amd64/generic', 'amd64/generic', 'amd64/generic', 'arm64/generic', 'arm64/generic', 'ppc64el/generic', 's390x/generic'];

/** The perf-dataset machine number `index` (Ready 60%, Deployed 30%, then New, Allocated, Broken). */
export function perfDatasetNode(index: number, randomBytes: RandomBytes, ownerId: number | null): NewNode {
  const hw = generateHardware(randomBytes, { architecture: ARCHS[randomInt(randomBytes, ARCHS.length)]!, interfaces: 5, disks: 6 });
  const roll = randomInt(randomBytes, 100);
  const status =
    roll < 60 ? NODE_STATUS.READY : roll < 90 ? NODE_STATUS.DEPLOYED : roll < 94 ? NODE_STATUS.NEW : roll < 98 ? NODE_STATUS.ALLOCATED : NODE_STATUS.BROKEN;
  const owned = status === NODE_STATUS.DEPLOYED || status === NODE_STATUS.ALLOCATED;
  const deployed = status === NODE_STATUS.DEPLOYED;
  return {
    hostname: `${generateHostname(randomBytes)}-${String(index).padStart(5, '0')}`,
    architecture: hw.architecture,
    status,
    ownerId: owned ? ownerId : null,
    cpuCount: hw.cpuCount,
    cpuSpeed: hw.cpuSpeed,
    memory: hw.memory,
    powerType: 'ipmi',
    powerState: deployed ? 'on' : 'off',
    powerParameters: { power_address: `10.245.${(index >> 8) & 255}.${index & 255}`, power_user: 'maas', power_driver: 'LAN_2_0' },
    ...(deployed ? { osystem: 'ubuntu', distroSeries: 'jammy' } : {}),
    commissioningStatus: status === NODE_STATUS.NEW ? -1 : 2,
    testingStatus: status === NODE_STATUS.NEW ? -1 : 2,
    statusMessage: deployed ? 'Deployed' : status === NODE_STATUS.READY ? 'Ready' : null,
    hardwareInfo: hw.hardwareInfo,
    hardwareUuid: hw.hardwareUuid,
    biosBootMethod: hw.biosBootMethod,
    interfaces: hw.interfaces,
    blockDevices: hw.blockDevices,
    assignIps: deployed,
  };
}

/** Adds `count` perf-dataset machines; owned ones belong to the first administrator, if any. */
export async function seedMachines(store: Store, count: number, randomBytes: RandomBytes): Promise<string> {
  const admin = (await store.listUsers()).find((u) => u.isSuperuser);
  const start = await store.countNodes({ nodeTypes: [0, 1, 2, 3, 4] });
  const nodes = Array.from({ length: count }, (_, i) => perfDatasetNode(start + i + 1, randomBytes, admin?.id ?? null));
  await store.createNodes(nodes);
  return `Seeded ${count} machines (5 interfaces and 6 disks each); the store now holds ${start + count} nodes.`;
}
