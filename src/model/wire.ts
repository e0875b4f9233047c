// MAAS wire shapes (spec/maas-resources.md). Field names are MAAS's, snake_case included.

export const API_PREFIX = '/MAAS/api/2.0/';

/** spec/maas-resources.md §2.3 */
export interface UserJson {
  username: string;
  email: string;
  is_local: boolean;
  is_superuser: boolean;
  resource_uri: string;
}

/** spec/maas-resources.md §2.1 */
export interface VersionJson {
  capabilities: string[];
  version: string;
  subversion: string;
}

export const CAPABILITIES: readonly string[] = [
  'networks-management',
  'static-ipaddresses',
  'ipv6-deployment-ubuntu',
  'devices-management',
  'storage-deployment-ubuntu',
  'network-deployment-ubuntu',
  'bridging-interface-ubuntu',
  'bridging-automatic-ubuntu',
  'authenticate-api',
];

/** The MAAS version maaskit emulates. */
export const MAAS_VERSION = '3.7.0';

/** spec/maas-auth.md §4.4 */
export interface TokenJson {
  token_key: string;
  token_secret: string;
  consumer_key: string;
  name: string;
}

export interface TokenListEntry {
  name: string;
  token: string;
}
