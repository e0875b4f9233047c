// Tags and their links to nodes (spec/maas-resources.md §2.8), over portable Kysely.
import type { KyselyStoreDeps } from './kysely-store.ts';
import { StoreError } from './types.ts';

export interface Tag {
  id: number;
  name: string;
  /** An XPath over lshw data; "" for a manual tag. maaskit never evaluates it. */
  definition: string;
  comment: string;
  kernelOpts: string;
}

export interface TagFields {
  name: string;
  definition: string;
  comment: string;
  kernelOpts: string;
}

export interface TagStore {
  /** Every tag, by id (creation order). */
  listTags(): Promise<Tag[]>;
  findTag(name: string): Promise<Tag | undefined>;
  /** @throws StoreError ERR_STORE_DUPLICATE when the name is taken. */
  createTag(tag: TagFields): Promise<Tag>;
  /** Partial update; undefined when there is no such tag. @throws StoreError ERR_STORE_DUPLICATE */
  updateTag(id: number, changes: Partial<TagFields>): Promise<Tag | undefined>;
  /** Deletes the tag and its links; false if there was none. */
  deleteTag(id: number): Promise<boolean>;
  /**
   * Links the nodes with the `add` system ids to the tag and unlinks those in `remove`. The
   * counts are the existing nodes named, as MAAS counts them (spec §2.8); unknown ids are ignored.
   */
  updateTagNodes(tagId: number, add: string[], remove: string[]): Promise<{ added: number; removed: number }>;
  /** Links nodes (by node id) to a tag, ignoring links that exist. */
  tagNodes(tagId: number, nodeIds: number[]): Promise<void>;
  /** The ids of the nodes carrying the tag, ascending. */
  nodeIdsWithTag(tagId: number): Promise<number[]>;
  /** Tag names per node id (each list by tag name), for `tag_names` and the tags filter. */
  tagNamesOfNodes(nodeIds: readonly number[]): Promise<Map<number, string[]>>;
}

type Row = { id: number; name: string; definition: string; comment: string; kernel_opts: string };

function toTag(row: Row): Tag {
  return { id: Number(row.id), name: row.name, definition: row.definition, comment: row.comment, kernelOpts: row.kernel_opts };
}

const COLUMNS = ['id', 'name', 'definition', 'comment', 'kernel_opts'] as const;
/** Bound parameters per IN list, well below SQLite's and PostgreSQL's limits. */
const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

function duplicate(name: string, error: unknown): StoreError {
  return new StoreError('ERR_STORE_DUPLICATE', `Tag with this Name already exists.`, { cause: { name, error } });
}

export function createTagStore(deps: KyselyStoreDeps): TagStore {
  const { db } = deps;

  async function nodeIdsOf(systemIds: string[]): Promise<number[]> {
    const ids: number[] = [];
    for (const part of chunks([...new Set(systemIds)])) {
      const rows = await db.selectFrom('nodes').select('id').where('system_id', 'in', part).execute();
      ids.push(...rows.map((r) => Number(r.id)));
    }
    return ids;
  }

  async function link(tagId: number, nodeIds: number[]): Promise<void> {
    for (const part of chunks(nodeIds)) {
      await db
        .insertInto('node_tags')
        .values(part.map((node_id) => ({ node_id, tag_id: tagId })))
        .onConflict((oc) => oc.columns(['node_id', 'tag_id']).doNothing())
        .execute();
    }
  }

  return {
    async listTags() {
      return (await db.selectFrom('tags').select(COLUMNS).orderBy('id').execute()).map(toTag);
    },

    async findTag(name) {
      const row = await db.selectFrom('tags').select(COLUMNS).where('name', '=', name).executeTakeFirst();
      return row && toTag(row);
    },

    async createTag(tag) {
      const now = deps.now();
      try {
        const row = await db
          .insertInto('tags')
          .values({
            name: tag.name,
            definition: tag.definition,
            comment: tag.comment,
            kernel_opts: tag.kernelOpts,
            created_at: now,
            updated_at: now,
          })
          .returning(COLUMNS)
          .executeTakeFirstOrThrow();
        return toTag(row);
      } catch (error) {
        if (deps.isUniqueViolation(error)) throw duplicate(tag.name, error);
        throw error;
      }
    },

    async updateTag(id, changes) {
      const set: Partial<Row> & { updated_at: number } = { updated_at: deps.now() };
      if (changes.name !== undefined) set.name = changes.name;
      if (changes.definition !== undefined) set.definition = changes.definition;
      if (changes.comment !== undefined) set.comment = changes.comment;
      if (changes.kernelOpts !== undefined) set.kernel_opts = changes.kernelOpts;
      try {
        const row = await db.updateTable('tags').set(set).where('id', '=', id).returning(COLUMNS).executeTakeFirst();
        return row && toTag(row);
      } catch (error) {
        if (deps.isUniqueViolation(error)) throw duplicate(changes.name ?? '', error);
        throw error;
      }
    },

    async deleteTag(id) {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('node_tags').where('tag_id', '=', id).execute();
        const result = await trx.deleteFrom('tags').where('id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },

    async updateTagNodes(tagId, add, remove) {
      const adding = await nodeIdsOf(add);
      const removing = await nodeIdsOf(remove);
      await link(tagId, adding);
      for (const part of chunks(removing)) {
        await db.deleteFrom('node_tags').where('tag_id', '=', tagId).where('node_id', 'in', part).execute();
      }
      return { added: adding.length, removed: removing.length };
    },

    tagNodes: link,

    async nodeIdsWithTag(tagId) {
      const rows = await db.selectFrom('node_tags').select('node_id').where('tag_id', '=', tagId).orderBy('node_id').execute();
      return rows.map((r) => Number(r.node_id));
    },

    async tagNamesOfNodes(nodeIds) {
      const out = new Map<number, string[]>();
      for (const part of chunks([...new Set(nodeIds)])) {
        const rows = await db
          .selectFrom('node_tags')
          .innerJoin('tags', 'tags.id', 'node_tags.tag_id')
          .select(['node_tags.node_id', 'tags.name'])
          .where('node_tags.node_id', 'in', part)
          .orderBy('tags.name')
          .execute();
        for (const row of rows) {
          const id = Number(row.node_id);
          const names = out.get(id);
          if (names) names.push(row.name);
          else out.set(id, [row.name]);
        }
      }
      return out;
    },
  };
}
