// Resource pools (spec/maas-resources.md §2.10) over the table of migration 0002, whose row
// id 0 is the default pool.
import { DEFAULT_POOL_ID } from '../model/groups.ts';
import type { KyselyStoreDeps } from './kysely-store.ts';
import { StoreError } from './types.ts';

export interface ResourcePool {
  id: number;
  name: string;
  description: string;
}

export interface PoolStore {
  /** Every pool, by name (ResourcePoolsHandler.read). */
  listPools(): Promise<ResourcePool[]>;
  findPoolById(id: number): Promise<ResourcePool | undefined>;
  findPoolByName(name: string): Promise<ResourcePool | undefined>;
  /** @throws StoreError ERR_STORE_DUPLICATE when the name is taken. */
  createPool(pool: { name: string; description: string }): Promise<ResourcePool>;
  /** Partial update; undefined when there is no such pool. @throws StoreError ERR_STORE_DUPLICATE */
  updatePool(id: number, changes: { name?: string; description?: string }): Promise<ResourcePool | undefined>;
  /** Machines (node_type 0) in the pool. */
  countPoolMachines(id: number): Promise<number>;
  /** Deletes a pool (its pods move to the default pool); the caller checks it is empty. */
  deletePool(id: number): Promise<boolean>;
}

type Row = { id: number; name: string; description: string };
const toPool = (row: Row): ResourcePool => ({ id: Number(row.id), name: row.name, description: row.description });
const COLUMNS = ['id', 'name', 'description'] as const;

function duplicate(error: unknown): StoreError {
  return new StoreError('ERR_STORE_DUPLICATE', 'Resource pool with this Name already exists.', { cause: error });
}

export function createPoolStore(deps: KyselyStoreDeps): PoolStore {
  const { db } = deps;
  return {
    async listPools() {
      return (await db.selectFrom('resource_pools').select(COLUMNS).orderBy('name').execute()).map(toPool);
    },

    async findPoolById(id) {
      const row = await db.selectFrom('resource_pools').select(COLUMNS).where('id', '=', id).executeTakeFirst();
      return row && toPool(row);
    },

    async findPoolByName(name) {
      const row = await db.selectFrom('resource_pools').select(COLUMNS).where('name', '=', name).executeTakeFirst();
      return row && toPool(row);
    },

    async createPool(pool) {
      const now = deps.now();
      try {
        const row = await db
          .insertInto('resource_pools')
          .values({ name: pool.name, description: pool.description, created_at: now, updated_at: now })
          .returning(COLUMNS)
          .executeTakeFirstOrThrow();
        return toPool(row);
      } catch (error) {
        if (deps.isUniqueViolation(error)) throw duplicate(error);
        throw error;
      }
    },

    async updatePool(id, changes) {
      const set: { name?: string; description?: string; updated_at: number } = { updated_at: deps.now() };
      if (changes.name !== undefined) set.name = changes.name;
      if (changes.description !== undefined) set.description = changes.description;
      try {
        const row = await db.updateTable('resource_pools').set(set).where('id', '=', id).returning(COLUMNS).executeTakeFirst();
        return row && toPool(row);
      } catch (error) {
        if (deps.isUniqueViolation(error)) throw duplicate(error);
        throw error;
      }
    },

    async countPoolMachines(id) {
      const row = await db
        .selectFrom('nodes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('pool_id', '=', id)
        .where('node_type', '=', 0)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async deletePool(id) {
      if (id === DEFAULT_POOL_ID) return false;
      return db.transaction().execute(async (trx) => {
        await trx.updateTable('pods').set({ pool_id: DEFAULT_POOL_ID }).where('pool_id', '=', id).execute();
        // Nodes other than machines (devices) may reference the pool too; they leave it.
        await trx.updateTable('nodes').set({ pool_id: null }).where('pool_id', '=', id).where('node_type', '!=', 0).execute();
        const result = await trx.deleteFrom('resource_pools').where('id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },
  };
}
