// GET /MAAS/api/2.0/version/ — VersionHandler, anonymous only (no authentication at all).
// Statuses: 200 read; 405 any other method. spec/maas-resources.md §2.1.
import { CAPABILITIES, MAAS_VERSION, type VersionJson } from '../model/index.ts';
import { type Resource, action } from './registry.ts';
import { json } from './render.ts';

const VERSION: VersionJson = { capabilities: [...CAPABILITIES], version: MAAS_VERSION, subversion: '' };
const BODY = json(VERSION);

export const versionResource: Resource = {
  path: 'version/',
  anon: {
    name: 'VersionHandler',
    doc: 'Information about this MAAS instance.\n\nThis returns a JSON dictionary with information about this\nMAAS instance::\n\n    {\n        \'version\': \'1.8.0\',\n        \'subversion\': \'alpha10+bzr3750\',\n        \'capabilities\': [\'capability1\', \'capability2\', ...]\n    }',
    actions: [action('GET', null, 'Read version and capabilities.', async () => BODY)],
  },
};
