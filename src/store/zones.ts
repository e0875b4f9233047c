// Zones (spec/maas-resources.md §2.9) over the table of migration 0002, whose row id 1 is the
// default zone.
import { DEFAULT_ZONE_ID } from '../model/groups.ts';
import type { KyselyStoreDeps } from './kysely-store.ts';
import { StoreError } from './types.ts';

export interface Zone {
  id: number;
  name: string;
  description: string;
}

export interface ZoneStore {
  /** Every zone, by name (ZonesHandler.read). */
  listZones(): Promise<Zone[]>;
  findZone(name: string): Promise<Zone | undefined>;
  findZoneById(id: number): Promise<Zone | undefined>;
  /** @throws StoreError ERR_STORE_DUPLICATE when the name is taken. */
  createZone(zone: { name: string; description: string }): Promise<Zone>;
  /** Partial update; undefined when there is no such zone. @throws StoreError ERR_STORE_DUPLICATE */
  updateZone(id: number, changes: { name?: string; description?: string }): Promise<Zone | undefined>;
  /** Moves the zone's nodes and pods to the default zone, then deletes it (spec §2.9). */
  deleteZone(id: number): Promise<boolean>;
}

type Row = { id: number; name: string; description: string };
const toZone = (row: Row): Zone => ({ id: Number(row.id), name: row.name, description: row.description });
const COLUMNS = ['id', 'name', 'description'] as const;

function duplicate(error: unknown): StoreError {
  return new StoreError('ERR_STORE_DUPLICATE', 'Physical zone with this Name already exists.', { cause: error });
}

export function createZoneStore(deps: KyselyStoreDeps): ZoneStore {
  const { db } = deps;
  return {
    async listZones() {
      return (await db.selectFrom('zones').select(COLUMNS).orderBy('name').execute()).map(toZone);
    },

    async findZone(name) {
      const row = await db.selectFrom('zones').select(COLUMNS).where('name', '=', name).executeTakeFirst();
      return row && toZone(row);
    },

    async findZoneById(id) {
      const row = await db.selectFrom('zones').select(COLUMNS).where('id', '=', id).executeTakeFirst();
      return row && toZone(row);
    },

    async createZone(zone) {
      const now = deps.now();
      try {
        const row = await db
          .insertInto('zones')
          .values({ name: zone.name, description: zone.description, created_at: now, updated_at: now })
          .returning(COLUMNS)
          .executeTakeFirstOrThrow();
        return toZone(row);
      } catch (error) {
        if (deps.isUniqueViolation(error)) throw duplicate(error);
        throw error;
      }
    },

    async updateZone(id, changes) {
      const set: { name?: string; description?: string; updated_at: number } = { updated_at: deps.now() };
      if (changes.name !== undefined) set.name = changes.name;
      if (changes.description !== undefined) set.description = changes.description;
      try {
        const row = await db.updateTable('zones').set(set).where('id', '=', id).returning(COLUMNS).executeTakeFirst();
        return row && toZone(row);
      } catch (error) {
        if (deps.isUniqueViolation(error)) throw duplicate(error);
        throw error;
      }
    },

    async deleteZone(id) {
      if (id === DEFAULT_ZONE_ID) return false;
      return db.transaction().execute(async (trx) => {
        await trx.updateTable('nodes').set({ zone_id: DEFAULT_ZONE_ID }).where('zone_id', '=', id).execute();
        await trx.updateTable('pods').set({ zone_id: DEFAULT_ZONE_ID }).where('zone_id', '=', id).execute();
        const result = await trx.deleteFrom('zones').where('id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },
  };
}
