// Simulated hardware: system ids, hostnames, MACs, interfaces and disks, drawn from injected
// randomness (DESIGN D7) so that a seed gives the same inventory every time. No I/O.
import type { RandomBytes } from './keys.ts';

/** MAAS's znum alphabet for system ids (spec/maas-resources.md §2.6.5). */
export const SYSTEM_ID_ALPHABET = '34678abcdefghkmnpqrstwxy';

/** A uniform integer in [0, n), without modulo bias. */
export function randomInt(randomBytes: RandomBytes, n: number): number {
  if (n <= 1) return 0;
  const limit = Math.floor(0x1_0000_0000 / n) * n;
  for (;;) {
    const b = randomBytes(4);
    const v = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    if (v < limit) return v % n;
  }
}

function pick<T>(randomBytes: RandomBytes, items: readonly T[]): T {
  return items[randomInt(randomBytes, items.length)]!;
}

/** A system id as MAAS makes them: a number in [24^5, 24^6) in the znum alphabet, 6 characters. */
export function generateSystemId(randomBytes: RandomBytes): string {
  const base = SYSTEM_ID_ALPHABET.length;
  let n = base ** 5 + randomInt(randomBytes, base ** 6 - base ** 5);
  let out = '';
  while (n > 0) {
    out = SYSTEM_ID_ALPHABET[n % base] + out;
    n = Math.floor(n / base);
  }
  return out;
}

export function isSystemId(value: string): boolean {
  return /^[34678abcdefghkmnpqrstwxy]{6}$/.test(value);
}

const ADJECTIVES = [
  'able', 'awake', 'bold', 'brave', 'calm', 'clean', 'clear', 'cool', 'crisp', 'deep', 'eager', 'fair', 'fast', 'fine',
  'firm', 'free', 'fresh', 'glad', 'good', 'grand', 'great', 'happy', 'hardy', 'keen', 'kind', 'large', 'lucky', 'mint',
  'modest', 'neat', 'nice', 'noble', 'open', 'polite', 'proud', 'quick', 'quiet', 'rapid', 'ready', 'real', 'rich',
  'right', 'safe', 'sharp', 'smart', 'solid', 'sound', 'still', 'sunny', 'sure', 'swift', 'tidy', 'true', 'vital',
  'warm', 'wise', 'witty', 'young', 'zesty',
];
const ANIMALS = [
  'ant', 'ape', 'bass', 'bat', 'bear', 'bee', 'bison', 'boar', 'carp', 'cat', 'cod', 'colt', 'crab', 'crow', 'deer',
  'doe', 'dog', 'dove', 'duck', 'eel', 'elk', 'emu', 'fawn', 'finch', 'fish', 'fly', 'fox', 'frog', 'gnat', 'goat',
  'hare', 'hawk', 'hen', 'ibex', 'jay', 'kid', 'kite', 'koi', 'lamb', 'lark', 'lion', 'lynx', 'mole', 'moth', 'mule',
  'newt', 'owl', 'ox', 'pig', 'pony', 'pug', 'ram', 'rat', 'seal', 'shrew', 'slug', 'snail', 'swan', 'tick', 'toad',
  'trout', 'wasp', 'wolf', 'worm', 'wren', 'yak',
];

/** A random petname hostname such as `calm-cod`, as MAAS gives unnamed machines. */
export function generateHostname(randomBytes: RandomBytes): string {
  return `${pick(randomBytes, ADJECTIVES)}-${pick(randomBytes, ANIMALS)}`;
}

/** A locally administered unicast MAC (40 random bits, so collisions are negligible). */
export function generateMac(randomBytes: RandomBytes): string {
  const b = randomBytes(5);
  return ['52', ...Array.from(b, (x) => x.toString(16).padStart(2, '0'))].join(':');
}

/** MAAS's MAC validation: six hex pairs separated by ':' or '-', or three groups of four by '.'. */
export function normaliseMac(value: string): string | undefined {
  const v = value.trim().toLowerCase();
  let hex: string | undefined;
  if (/^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/.test(v)) hex = v.replace(/[:-]/g, '');
  else if (/^([0-9a-f]{4}\.){2}[0-9a-f]{4}$/.test(v)) hex = v.replace(/\./g, '');
  else if (/^[0-9a-f]{12}$/.test(v)) hex = v;
  if (hex === undefined) return undefined;
  return hex.match(/../g)!.join(':');
}

export const ARCHITECTURES = ['amd64/generic', 'arm64/generic', 'ppc64el/generic', 's390x/generic', 'i386/generic', 'armhf/generic'] as const;

export interface InterfaceSpec {
  name: string;
  macAddress: string;
  isBoot: boolean;
  linkSpeed: number;
  interfaceSpeed: number;
  vendor: string;
  product: string;
  firmwareVersion: string;
}

export interface BlockDeviceSpec {
  name: string;
  model: string;
  serial: string;
  idPath: string;
  size: number;
  blockSize: number;
  tags: string[];
  firmwareVersion: string;
  isBoot: boolean;
}

export interface HardwareSpec {
  architecture: string;
  cpuCount: number;
  cpuSpeed: number;
  memory: number;
  interfaces: InterfaceSpec[];
  blockDevices: BlockDeviceSpec[];
  hardwareInfo: Record<string, string>;
  hardwareUuid: string;
  biosBootMethod: string;
}

export interface HardwareOptions {
  architecture?: string;
  /** MACs to use; more interfaces are added up to `interfaces`. */
  macs?: string[];
  interfaces?: number;
  disks?: number;
  cpuCount?: number;
  memory?: number;
}

const NICS = [
  { vendor: 'Intel Corporation', product: 'Ethernet Controller X710 for 10GbE SFP+', speed: 10_000, fw: '8.30 0x8000a4e8 1.2926.0' },
  { vendor: 'Mellanox Technologies', product: 'MT27710 Family [ConnectX-4 Lx]', speed: 25_000, fw: '14.32.1010' },
  { vendor: 'Broadcom Inc. and subsidiaries', product: 'NetXtreme BCM5720 Gigabit Ethernet PCIe', speed: 1000, fw: '1.46' },
];
const DISKS = [
  { model: 'SAMSUNG MZ7LH480', size: 480_103_981_056, tag: 'ssd', fw: 'HXT7404Q' },
  { model: 'INTEL SSDSC2KB96', size: 960_197_124_096, tag: 'ssd', fw: 'XCV10132' },
  { model: 'ST2000NM0055-1V4', size: 2_000_398_934_016, tag: 'rotary', fw: 'SN04' },
  { model: 'HGST HUS726T4TAL', size: 4_000_787_030_016, tag: 'rotary', fw: 'VKGNW40H' },
];
const VENDORS = [
  { vendor: 'Dell Inc.', product: 'PowerEdge R640', family: 'PowerEdge', cpu: 'Intel(R) Xeon(R) Gold 6130 CPU' },
  { vendor: 'HPE', product: 'ProLiant DL360 Gen10', family: 'ProLiant', cpu: 'Intel(R) Xeon(R) Silver 4214 CPU' },
  { vendor: 'Supermicro', product: 'SYS-1029P-WTR', family: 'SMC X11', cpu: 'Intel(R) Xeon(R) Gold 5218 CPU' },
];

function hex(randomBytes: RandomBytes, bytes: number): string {
  return Buffer.from(randomBytes(bytes)).toString('hex');
}

function uuid(randomBytes: RandomBytes): string {
  const h = hex(randomBytes, 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Plausible, self-consistent hardware: the boot interface is the first, the boot disk the first. */
export function generateHardware(randomBytes: RandomBytes, options: HardwareOptions = {}): HardwareSpec {
  const architecture = options.architecture ?? pick(randomBytes, ['amd64/generic', 'amd64/generic', 'amd64/generic', 'arm64/generic', 'ppc64el/generic']);
  const cpuCount = options.cpuCount ?? pick(randomBytes, [4, 8, 16, 24, 32, 48, 64]);
  const memory = options.memory ?? pick(randomBytes, [8192, 16384, 32768, 65536, 131072, 262144]);
  const cpuSpeed = pick(randomBytes, [2100, 2400, 2600, 2800, 3000, 3200]);
  const nic = pick(randomBytes, NICS);
  const macs = options.macs ?? [];
  const interfaceCount = Math.max(options.interfaces ?? (macs.length || 2), macs.length, 1);
  const interfaces: InterfaceSpec[] = Array.from({ length: interfaceCount }, (_, i) => ({
    name: `eno${i + 1}`,
    macAddress: macs[i] ?? generateMac(randomBytes),
    isBoot: i === 0,
    linkSpeed: nic.speed,
    interfaceSpeed: nic.speed,
    vendor: nic.vendor,
    product: nic.product,
    firmwareVersion: nic.fw,
  }));
  const diskCount = Math.max(options.disks ?? 2, 1);
  const blockDevices: BlockDeviceSpec[] = Array.from({ length: diskCount }, (_, i) => {
    const disk = i === 0 ? DISKS[0]! : pick(randomBytes, DISKS);
    const serial = hex(randomBytes, 6).toUpperCase();
    return {
      name: `sd${String.fromCharCode(97 + (i % 26))}`,
      model: disk.model,
      serial,
      idPath: `/dev/disk/by-id/wwn-0x5000${hex(randomBytes, 6)}`,
      size: disk.size,
      blockSize: disk.tag === 'ssd' ? 4096 : 512,
      tags: [disk.tag],
      firmwareVersion: disk.fw,
      isBoot: i === 0,
    };
  });
  const system = pick(randomBytes, VENDORS);
  const serial = hex(randomBytes, 4).toUpperCase();
  const hardwareInfo: Record<string, string> = {
    system_vendor: system.vendor,
    system_product: system.product,
    system_family: system.family,
    system_version: 'Unknown',
    system_sku: 'Unknown',
    system_serial: serial,
    cpu_model: system.cpu,
    mainboard_vendor: system.vendor,
    mainboard_product: 'Unknown',
    mainboard_serial: `.${serial}.`,
    mainboard_version: 'A00',
    mainboard_firmware_vendor: system.vendor,
    mainboard_firmware_date: '03/12/2024',
    mainboard_firmware_version: '2.19.1',
    chassis_vendor: system.vendor,
    chassis_type: 'Rack Mount Chassis',
    chassis_serial: serial,
    chassis_version: 'Unknown',
  };
  return {
    architecture,
    cpuCount,
    cpuSpeed,
    memory,
    interfaces,
    blockDevices,
    hardwareInfo,
    hardwareUuid: uuid(randomBytes),
    biosBootMethod: pick(randomBytes, ['pxe', 'uefi', 'uefi']),
  };
}

/** The 18 hardware_info keys, each "Unknown" until commissioning fills them (spec §2.6.5). */
export const HARDWARE_INFO_KEYS = [
  'system_vendor', 'system_product', 'system_family', 'system_version', 'system_sku', 'system_serial', 'cpu_model',
  'mainboard_vendor', 'mainboard_product', 'mainboard_serial', 'mainboard_version', 'mainboard_firmware_vendor',
  'mainboard_firmware_date', 'mainboard_firmware_version', 'chassis_vendor', 'chassis_type', 'chassis_serial', 'chassis_version',
] as const;
