// A machine (or any node) in domain terms, and its MAAS JSON (spec/maas-resources.md
// §2.6.5, §7): exact types — ints are ints, zone/pool/domain are objects, resource_uri always.
import { NODE_STATUS, NODE_TYPE_NAMES, scriptStatusName, statusLabel } from './node-status.ts';
import { API_PREFIX } from './wire.ts';

export interface ZoneRef {
  id: number;
  name: string;
  description: string;
}

export interface PoolRef {
  id: number;
  name: string;
  description: string;
}

export interface NodeInterface {
  id: number;
  name: string;
  type: string;
  macAddress: string;
  enabled: boolean;
  isBoot: boolean;
  linkConnected: boolean;
  linkSpeed: number;
  interfaceSpeed: number;
  vendor: string | null;
  product: string | null;
  firmwareVersion: string | null;
  numaNode: number;
}

export interface NodeBlockDevice {
  id: number;
  name: string;
  type: string;
  model: string;
  serial: string;
  idPath: string | null;
  size: number;
  blockSize: number;
  tags: string[];
  firmwareVersion: string | null;
  isBoot: boolean;
  numaNode: number;
}

export interface NodeIpAddress {
  interfaceId: number;
  ip: string;
}

/** A node as stored, with its owner's username and its zone and pool resolved. */
export interface NodeRecord {
  id: number;
  systemId: string;
  nodeType: number;
  hostname: string;
  description: string;
  architecture: string;
  minHweKernel: string | null;
  hweKernel: string | null;
  status: number;
  previousStatus: number;
  ownerId: number | null;
  owner: string | null;
  zone: ZoneRef;
  pool: PoolRef | null;
  cpuCount: number;
  cpuSpeed: number;
  memory: number;
  swapSize: number | null;
  powerType: string;
  powerState: string;
  powerParameters: Record<string, string>;
  osystem: string;
  distroSeries: string;
  agentName: string;
  errorDescription: string;
  statusMessage: string | null;
  statusAction: string | null;
  locked: boolean;
  netboot: boolean;
  enlisting: boolean;
  ephemeralDeploy: boolean;
  enableHwSync: boolean;
  isDpu: boolean;
  commissioningStatus: number;
  testingStatus: number;
  ownerData: Record<string, string>;
  hardwareInfo: Record<string, string>;
  hardwareUuid: string | null;
  biosBootMethod: string | null;
  dynamic: boolean;
  podId: number | null;
  /** The VM host's name when a pod composed the node. */
  podName: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A node with its interfaces, disks, addresses and tags: everything its JSON shows. */
export interface NodeDetail extends NodeRecord {
  interfaces: NodeInterface[];
  blockDevices: NodeBlockDevice[];
  ipAddresses: NodeIpAddress[];
  tagNames: string[];
}

/** The one simulated network: fabric-0, its untagged VLAN and one subnet. */
export const SIM_NETWORK = {
  vlanId: 5001,
  fabric: 'fabric-0',
  fabricId: 0,
  subnetId: 1,
  cidr: '10.0.0.0/8',
  gateway: '10.0.0.1',
} as const;

/** The address a deployed machine's interface gets: unique per interface id, inside SIM_NETWORK. */
export function simulatedIp(interfaceId: number): string {
  const n = interfaceId + 1; // 10.0.0.2 for interface 1; .1 is the gateway
  return `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

const DOMAIN = { authoritative: true, ttl: null, is_default: true, name: 'maas', resource_record_count: 0, id: 0 };

function vlanJson() {
  return {
    vid: 0,
    mtu: 1500,
    dhcp_on: true,
    external_dhcp: null,
    relay_vlan: null,
    fabric: SIM_NETWORK.fabric,
    space: 'undefined',
    primary_rack: null,
    secondary_rack: null,
    name: 'untagged',
    fabric_id: SIM_NETWORK.fabricId,
    id: SIM_NETWORK.vlanId,
    resource_uri: `${API_PREFIX}vlans/${SIM_NETWORK.vlanId}/`,
  };
}

function subnetJson() {
  return {
    name: SIM_NETWORK.cidr,
    description: '',
    vlan: vlanJson(),
    cidr: SIM_NETWORK.cidr,
    rdns_mode: 2,
    gateway_ip: SIM_NETWORK.gateway,
    dns_servers: [],
    allow_dns: true,
    allow_proxy: true,
    active_discovery: false,
    managed: true,
    disabled_boot_architectures: [],
    space: 'undefined',
    id: SIM_NETWORK.subnetId,
    resource_uri: `${API_PREFIX}subnets/${SIM_NETWORK.subnetId}/`,
  };
}

export function zoneJson(zone: ZoneRef) {
  return { id: zone.id, name: zone.name, description: zone.description, resource_uri: `${API_PREFIX}zones/${encodeURIComponent(zone.name)}/` };
}

export function poolJson(pool: PoolRef) {
  return { id: pool.id, name: pool.name, description: pool.description, resource_uri: `${API_PREFIX}resourcepool/${pool.id}/` };
}

function interfaceJson(node: NodeDetail, iface: NodeInterface, ips: Map<number, string>) {
  const ip = ips.get(iface.id);
  // Only the boot interface is cabled to the simulated subnet; the others are link-up only.
  const links = iface.isBoot
    ? [{ id: iface.id, mode: 'auto', subnet: subnetJson(), ...(ip === undefined ? {} : { ip_address: ip }) }]
    : [];
  return {
    params: '',
    numa_node: iface.numaNode,
    tags: [],
    parents: [],
    children: [],
    name: iface.name,
    type: iface.type,
    vendor: iface.vendor,
    product: iface.product,
    firmware_version: iface.firmwareVersion,
    link_connected: iface.linkConnected,
    interface_speed: iface.interfaceSpeed,
    link_speed: iface.linkSpeed,
    sriov_max_vf: 0,
    enabled: iface.enabled,
    vlan: iface.isBoot ? vlanJson() : null,
    discovered: null,
    effective_mtu: 1500,
    links,
    mac_address: iface.macAddress,
    system_id: node.systemId,
    id: iface.id,
    resource_uri: `${API_PREFIX}nodes/${node.systemId}/interfaces/${iface.id}/`,
  };
}

function blockDeviceJson(node: NodeDetail, disk: NodeBlockDevice) {
  return {
    id_path: disk.idPath,
    size: disk.size,
    block_size: disk.blockSize,
    tags: disk.tags,
    uuid: null,
    name: disk.name,
    serial: disk.serial,
    partition_table_type: null,
    type: disk.type,
    model: disk.model,
    path: `/dev/disk/by-dname/${disk.name}`,
    used_for: 'Unused',
    available_size: disk.size,
    used_size: 0,
    filesystem: null,
    partitions: [],
    storage_pool: null,
    numa_node: disk.numaNode,
    firmware_version: disk.firmwareVersion,
    system_id: node.systemId,
    id: disk.id,
    resource_uri: `${API_PREFIX}nodes/${node.systemId}/blockdevices/${disk.id}/`,
  };
}

function testStatus(status: number) {
  return status;
}

/** The full machine JSON an authenticated caller gets (spec §2.6.5). */
export function machineJson(node: NodeDetail): Record<string, unknown> {
  const ips = new Map(node.ipAddresses.map((a) => [a.interfaceId, a.ip]));
  const interfaces = node.interfaces.map((i) => interfaceJson(node, i, ips));
  const disks = node.blockDevices.map((d) => blockDeviceJson(node, d));
  const bootInterface = interfaces.find((_, i) => node.interfaces[i]?.isBoot) ?? interfaces[0] ?? null;
  const bootDisk = disks.find((_, i) => node.blockDevices[i]?.isBoot) ?? disks[0] ?? null;
  const storage = node.blockDevices.reduce((sum, d) => sum + d.size, 0) / 1e6;
  const numaMemory = node.memory;
  const commissioning = testStatus(node.commissioningStatus);
  const testing = testStatus(node.testingStatus);
  const bootLink = bootInterface?.links[0];
  return {
    system_id: node.systemId,
    hostname: node.hostname,
    fqdn: `${node.hostname}.${DOMAIN.name}`,
    description: node.description,
    hardware_uuid: node.hardwareUuid,
    domain: { ...DOMAIN, resource_uri: `${API_PREFIX}domains/${DOMAIN.id}/` },
    owner: node.owner,
    owner_data: node.ownerData,
    workload_annotations: node.ownerData,
    locked: node.locked,
    netboot: node.netboot,
    disable_ipv4: false,
    ephemeral_deploy: node.ephemeralDeploy,
    enable_hw_sync: node.enableHwSync,
    enable_kernel_crash_dump: false,
    is_dpu: node.isDpu,
    architecture: node.architecture,
    min_hwe_kernel: node.minHweKernel ?? '',
    hwe_kernel: node.hweKernel,
    cpu_count: node.cpuCount,
    cpu_speed: node.cpuSpeed,
    memory: node.memory,
    swap_size: node.swapSize,
    storage,
    status: node.status,
    status_name: statusLabel(node.status),
    status_message: node.statusMessage,
    status_action: node.statusAction,
    osystem: node.osystem,
    distro_series: node.distroSeries,
    error_description: node.errorDescription,
    power_type: node.powerType,
    power_state: node.powerState,
    tag_names: node.tagNames,
    ip_addresses: node.ipAddresses.map((a) => a.ip),
    address_ttl: null,
    zone: zoneJson(node.zone),
    pool: node.pool ? poolJson(node.pool) : null,
    interface_set: interfaces,
    boot_interface: bootInterface,
    boot_disk: bootDisk,
    blockdevice_set: disks,
    physicalblockdevice_set: disks.filter((d) => d.type === 'physical'),
    virtualblockdevice_set: disks.filter((d) => d.type === 'virtual'),
    volume_groups: [],
    raids: [],
    bcaches: [],
    cache_sets: [],
    special_filesystems: [],
    parent: null,
    // spec §1.3: the machine's pod URI is built explicitly under pods/, not vm-hosts/.
    pod: node.podId === null ? null : { id: node.podId, name: node.podName ?? '', resource_uri: `${API_PREFIX}pods/${node.podId}/` },
    virtualmachine_id: null,
    default_gateways: {
      ipv4: { gateway_ip: bootLink ? SIM_NETWORK.gateway : null, link_id: bootLink ? bootLink.id : null },
      ipv6: { gateway_ip: null, link_id: null },
    },
    current_commissioning_result_id: null,
    current_testing_result_id: null,
    current_installation_result_id: null,
    commissioning_status: commissioning,
    commissioning_status_name: scriptStatusName(commissioning),
    testing_status: testing,
    testing_status_name: scriptStatusName(testing),
    cpu_test_status: -1,
    cpu_test_status_name: 'Unknown',
    memory_test_status: -1,
    memory_test_status_name: 'Unknown',
    network_test_status: -1,
    network_test_status_name: 'Unknown',
    storage_test_status: testing,
    storage_test_status_name: scriptStatusName(testing),
    other_test_status: -1,
    other_test_status_name: 'Unknown',
    interface_test_status: -1,
    interface_test_status_name: 'Unknown',
    hardware_info: node.hardwareInfo,
    numanode_set: [
      { index: 0, memory: numaMemory, cores: Array.from({ length: node.cpuCount }, (_, i) => i), hugepages_set: [] },
    ],
    last_sync: null,
    next_sync: null,
    sync_interval: null,
    node_type: node.nodeType,
    node_type_name: NODE_TYPE_NAMES[node.nodeType] ?? 'Machine',
    bios_boot_method: node.biosBootMethod,
    resource_uri: `${API_PREFIX}machines/${node.systemId}/`,
  };
}

/** The limited fields an anonymous enlistment gets back (spec §2.6.2). */
export function anonymousMachineJson(node: NodeDetail): Record<string, unknown> {
  return {
    system_id: node.systemId,
    hostname: node.hostname,
    domain: { ...DOMAIN },
    fqdn: `${node.hostname}.${DOMAIN.name}`,
    architecture: node.architecture,
    status: node.status,
    power_type: node.powerType,
    power_state: node.powerState,
    zone: { id: node.zone.id, name: node.zone.name, description: node.zone.description },
    status_action: node.statusAction,
    status_message: node.statusMessage,
    status_name: statusLabel(node.status),
    node_type: node.nodeType,
    resource_uri: `${API_PREFIX}machines/${node.systemId}/`,
  };
}

/** A non-machine node (device, controller) as nodes/ lists it: the shared node fields. */
export function nodeJson(node: NodeDetail): Record<string, unknown> {
  if (node.nodeType === 0) return machineJson(node);
  const m = machineJson(node);
  const kind = node.nodeType === 1 ? 'devices' : node.nodeType === 3 ? 'regioncontrollers' : 'rackcontrollers';
  const keep = ['system_id', 'hostname', 'fqdn', 'description', 'domain', 'owner', 'owner_data', 'zone', 'pool', 'interface_set', 'ip_addresses', 'tag_names', 'node_type', 'node_type_name', 'architecture', 'cpu_count', 'memory', 'osystem', 'distro_series', 'status', 'status_name', 'power_state', 'power_type'];
  const out: Record<string, unknown> = {};
  for (const k of keep) out[k] = m[k];
  out['resource_uri'] = `${API_PREFIX}${kind}/${node.systemId}/`;
  return out;
}

export const MACHINE_STATUS = NODE_STATUS;

