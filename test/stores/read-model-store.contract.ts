/**
 * The behaviour every ReadModelStore adapter must show, written against the port only. Each
 * test works in collections of its own (random names), so the suite can run against a shared
 * server.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidQueryError,
  type DocumentWrite,
  type FindOptions,
  type JsonObject,
  type ReadModelDocument,
  type ReadModelStore,
} from '../../src/stores/read-model-store.js';

/** Adapters under test are built with `loadChunkSize: CONTRACT_LOAD_CHUNK`. */
export const CONTRACT_LOAD_CHUNK = 7;

export type MakeReadModelStore = () => Promise<{
  store: ReadModelStore;
  dispose: () => Promise<void>;
}>;

export function describeReadModelStoreContract(
  adapterName: string,
  makeStore: MakeReadModelStore,
): void {
  describe(`ReadModelStore contract: ${adapterName}`, () => {
    let store: ReadModelStore;
    let dispose: () => Promise<void>;
    const created: string[] = [];

    beforeAll(async () => {
      ({ store, dispose } = await makeStore());
    });

    afterAll(async () => {
      for (const collection of created) await store.dropCollection(collection);
      await dispose();
    });

    function newCollection(): string {
      const name = `t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      created.push(name);
      return name;
    }

    const put = (id: string, position: bigint, body: JsonObject | null): DocumentWrite => ({
      id,
      position,
      body,
    });

    async function collectionWith(
      bodies: Record<string, JsonObject>,
    ): Promise<{ collection: string }> {
      const collection = newCollection();
      await store.ensureCollection(collection);
      await store.writeBatch(
        collection,
        Object.entries(bodies).map(([id, body], i) => put(id, BigInt(i + 1), body)),
      );
      return { collection };
    }

    const ids = (documents: readonly ReadModelDocument[]) => documents.map((doc) => doc.id);

    async function findIds(collection: string, options: FindOptions): Promise<string[]> {
      return ids((await store.find(collection, { limit: 1000, ...options })).documents);
    }

    async function findAll(collection: string, options: FindOptions): Promise<string[]> {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 1000; page += 1) {
        const result = await store.find(collection, { ...options, cursor });
        seen.push(...ids(result.documents));
        cursor = result.nextCursor;
        if (cursor === undefined) return seen;
      }
      throw new Error('pagination did not end');
    }

    describe('collections and indexes', () => {
      it('creates a collection once, however often it is ensured', async () => {
        const collection = newCollection();
        await store.ensureCollection(collection);
        await store.ensureCollection(collection);
        expect(await store.listCollections()).toContain(collection);
        expect(await store.count(collection)).toBe(0);
      });

      it('creates every declared index, idempotently', async () => {
        const collection = newCollection();
        const indexes = [
          { name: 'by_status', fields: [{ field: 'status', direction: 'asc' as const }] },
          {
            name: 'by_customer_due',
            fields: [
              { field: 'customer.id', direction: 'asc' as const },
              { field: 'dueDate', direction: 'desc' as const },
            ],
          },
        ];
        await store.ensureCollection(collection, indexes);
        await store.ensureCollection(collection, indexes);
        const names = await store.listIndexes(collection);
        expect(names).toEqual(expect.arrayContaining(['by_status', 'by_customer_due']));
      });

      it('drops a collection with its documents', async () => {
        const { collection } = await collectionWith({ a: { n: 1 } });
        await store.dropCollection(collection);
        expect(await store.listCollections()).not.toContain(collection);
        expect(await store.count(collection)).toBe(0);
      });

      it('keeps collections apart', async () => {
        const { collection: first } = await collectionWith({ a: { n: 1 } });
        const second = newCollection();
        await store.ensureCollection(second);
        expect((await store.load(second, ['a'])).size).toBe(0);
        expect((await store.load(first, ['a'])).size).toBe(1);
      });

      it('refuses names that are not plain identifiers', async () => {
        await expect(store.ensureCollection('Robert"); DROP TABLE x;--')).rejects.toBeInstanceOf(
          InvalidQueryError,
        );
        await expect(
          store.ensureCollection(newCollection(), [
            { name: 'bad', fields: [{ field: "x') --", direction: 'asc' }] },
          ]),
        ).rejects.toBeInstanceOf(InvalidQueryError);
      });
    });

    describe('writeBatch and load', () => {
      it('writes documents and loads them by id with their positions', async () => {
        const collection = newCollection();
        const result = await store.writeBatch(collection, [
          put('a', 10n, { n: 1 }),
          put('b', 11n, { n: 2 }),
        ]);
        expect(result).toEqual({ written: 2, skipped: 0 });
        const loaded = await store.load(collection, ['a', 'b', 'missing']);
        expect([...loaded.keys()].sort()).toEqual(['a', 'b']);
        expect(loaded.get('a')).toEqual({ id: 'a', position: 10n, body: { n: 1 } });
      });

      it('writes several collections in one call, guarded, with one result per batch', async () => {
        const first = newCollection();
        const second = newCollection();
        await store.writeBatch(second, [put('x', 5n, { n: 0 })]);
        const results = await store.writeBatches([
          { collection: first, writes: [put('a', 3n, { n: 1 }), put('b', 4n, { n: 2 })] },
          { collection: second, writes: [put('x', 4n, { n: 9 }), put('y', 6n, { n: 3 })] },
          { collection: first, writes: [] },
        ]);
        expect(results).toEqual([
          { written: 2, skipped: 0 },
          { written: 1, skipped: 1 },
          { written: 0, skipped: 0 },
        ]);
        expect((await store.load(first, ['a'])).get('a')?.body).toEqual({ n: 1 });
        expect((await store.load(second, ['x', 'y'])).get('x')).toEqual({
          id: 'x',
          position: 5n,
          body: { n: 0 },
        });
        expect((await store.load(second, ['y'])).get('y')?.position).toBe(6n);
      });

      it('round-trips nested bodies exactly', async () => {
        const collection = newCollection();
        const body = {
          text: 'Grüße, "quotes", \\ and \n newlines, 日本',
          integer: 42,
          negative: -7,
          fraction: 0.125,
          yes: true,
          no: false,
          nothing: null,
          list: [1, 'two', { three: 3 }, [4]],
          nested: { deeper: { amount: '1234.50', currency: 'EUR' } },
          empty: {},
          'odd-key': 1,
          'dot.ted': 2,
          $dollar: 3,
        };
        await store.writeBatch(collection, [put('doc', 1n, body)]);
        expect((await store.load(collection, ['doc'])).get('doc')?.body).toEqual(body);
      });

      it('keeps positions beyond 2^53 exact', async () => {
        const collection = newCollection();
        const position = 2n ** 63n + 12_345n;
        await store.writeBatch(collection, [put('a', position, { n: 1 })]);
        expect((await store.load(collection, ['a'])).get('a')?.position).toBe(position);
        const lower = await store.writeBatch(collection, [put('a', position - 1n, { n: 0 })]);
        expect(lower).toEqual({ written: 0, skipped: 1 });
      });

      it('changes a document only with a higher position (the position guard)', async () => {
        const collection = newCollection();
        await store.writeBatch(collection, [put('a', 10n, { n: 1 })]);
        expect(await store.writeBatch(collection, [put('a', 9n, { n: 0 })])).toEqual({
          written: 0,
          skipped: 1,
        });
        expect(await store.writeBatch(collection, [put('a', 10n, { n: 99 })])).toEqual({
          written: 0,
          skipped: 1,
        });
        expect((await store.load(collection, ['a'])).get('a')).toEqual({
          id: 'a',
          position: 10n,
          body: { n: 1 },
        });
        expect(await store.writeBatch(collection, [put('a', 11n, { n: 2 })])).toEqual({
          written: 1,
          skipped: 0,
        });
        expect((await store.load(collection, ['a'])).get('a')?.body).toEqual({ n: 2 });
      });

      it('orders positions numerically, not by their digits', async () => {
        const collection = newCollection();
        await store.writeBatch(collection, [put('a', 9n, { n: 9 })]);
        expect(await store.writeBatch(collection, [put('a', 10n, { n: 10 })])).toEqual({
          written: 1,
          skipped: 0,
        });
      });

      it('changes nothing when a batch is applied again, whole or in part', async () => {
        const collection = newCollection();
        const batch = [put('a', 1n, { n: 1 }), put('b', 2n, { n: 2 }), put('c', 3n, { n: 3 })];
        await store.writeBatch(collection, batch);
        await store.writeBatch(collection, [put('b', 4n, { n: 20 })]);
        expect(await store.writeBatch(collection, batch)).toEqual({ written: 0, skipped: 3 });
        const loaded = await store.load(collection, ['a', 'b', 'c']);
        expect(loaded.get('b')?.body).toEqual({ n: 20 });
      });

      it('keeps the highest position when one batch writes an id twice, in any order', async () => {
        const collection = newCollection();
        await store.writeBatch(collection, [put('a', 5n, { n: 5 }), put('a', 3n, { n: 3 })]);
        expect((await store.load(collection, ['a'])).get('a')?.body).toEqual({ n: 5 });
        await store.writeBatch(collection, [put('b', 3n, { n: 3 }), put('b', 5n, { n: 5 })]);
        expect((await store.load(collection, ['b'])).get('b')?.body).toEqual({ n: 5 });
      });

      it('deletes with a tombstone that load still shows and that guards against older writes', async () => {
        const collection = newCollection();
        await store.writeBatch(collection, [put('a', 1n, { n: 1 }), put('b', 1n, { n: 1 })]);
        expect(await store.writeBatch(collection, [put('a', 5n, null)])).toEqual({
          written: 1,
          skipped: 0,
        });
        expect((await store.load(collection, ['a'])).get('a')).toEqual({
          id: 'a',
          position: 5n,
          body: null,
        });
        expect(await store.count(collection)).toBe(1);
        expect(await findIds(collection, {})).toEqual(['b']);

        expect(await store.writeBatch(collection, [put('a', 4n, { n: 4 })])).toEqual({
          written: 0,
          skipped: 1,
        });
        expect((await store.load(collection, ['a'])).get('a')).toEqual({
          id: 'a',
          position: 5n,
          body: null,
        });
        await store.writeBatch(collection, [put('a', 6n, { n: 6 })]);
        expect((await store.load(collection, ['a'])).get('a')?.body).toEqual({ n: 6 });
      });

      it('loads more ids than one query takes (adapters are set to 7 per query here)', async () => {
        const collection = newCollection();
        const writes = Array.from({ length: 30 }, (_, i) => put(`id-${i}`, 1n, { i }));
        expect((await store.writeBatch(collection, writes)).written).toBe(30);
        const wanted = writes.map((write) => write.id).concat(['nope']);
        const loaded = await store.load(collection, wanted);
        expect(loaded.size).toBe(30);
        expect(loaded.get('id-29')?.body).toEqual({ i: 29 });
      });

      it('accepts an empty batch and an empty id list', async () => {
        const collection = newCollection();
        expect(await store.writeBatch(collection, [])).toEqual({ written: 0, skipped: 0 });
        expect((await store.load(collection, [])).size).toBe(0);
      });

      it('treats ids as opaque text', async () => {
        const collection = newCollection();
        const odd = ["it's", 'a/b?c=d&e', 'Ünïcödé', '  spaced  ', '$dollar', 'dot.ted'];
        await store.writeBatch(
          collection,
          odd.map((id) => put(id, 1n, { id })),
        );
        const loaded = await store.load(collection, odd);
        expect([...loaded.keys()].sort()).toEqual([...odd].sort());
      });
    });

    describe('find', () => {
      const invoices = {
        i1: { status: 'open', total: 100, customer: { id: 'c1' }, due: '2026-01-10', paid: false },
        i2: { status: 'paid', total: 250, customer: { id: 'c2' }, due: '2026-02-01', paid: true },
        i3: { status: 'open', total: 75.5, customer: { id: 'c1' }, due: '2026-03-15', paid: false },
        i4: { status: 'void', total: 0, customer: { id: 'c3' }, due: '2026-01-31', note: null },
        i5: { status: 'open', total: '300', customer: { id: 'c2' }, due: '2026-04-01' },
      };

      it('matches equality on strings, numbers, booleans and nested fields', async () => {
        const { collection } = await collectionWith(invoices);
        expect(await findIds(collection, { where: { status: 'open' } })).toEqual([
          'i1',
          'i3',
          'i5',
        ]);
        expect(await findIds(collection, { where: { total: 250 } })).toEqual(['i2']);
        expect(await findIds(collection, { where: { paid: true } })).toEqual(['i2']);
        expect(await findIds(collection, { where: { paid: false } })).toEqual(['i1', 'i3']);
        expect(await findIds(collection, { where: { 'customer.id': 'c1' } })).toEqual(['i1', 'i3']);
        expect(await findIds(collection, { where: { status: { eq: 'void' } } })).toEqual(['i4']);
      });

      it('never equates values of different types', async () => {
        const { collection } = await collectionWith(invoices);
        expect(await findIds(collection, { where: { total: '100' } })).toEqual([]);
        expect(await findIds(collection, { where: { total: 300 } })).toEqual([]);
        expect(await findIds(collection, { where: { total: '300' } })).toEqual(['i5']);
        expect(await findIds(collection, { where: { total: 0 } })).toEqual(['i4']);
        expect(await findIds(collection, { where: { paid: 1 } })).toEqual([]);
      });

      it('matches null to a null or missing field', async () => {
        const { collection } = await collectionWith(invoices);
        expect(await findIds(collection, { where: { note: null } })).toEqual([
          'i1',
          'i2',
          'i3',
          'i4',
          'i5',
        ]);
        expect(await findIds(collection, { where: { paid: null } })).toEqual(['i4', 'i5']);
      });

      it('never matches a path that ends at or runs through an array, except as missing', async () => {
        const { collection } = await collectionWith({
          a: { tags: ['x', 'y'], lines: [{ n: 1 }] },
          b: { tags: 'x' },
        });
        expect(await findIds(collection, { where: { tags: 'x' } })).toEqual(['b']);
        expect(await findIds(collection, { where: { tags: null } })).toEqual([]);
        expect(await findIds(collection, { where: { 'lines.n': 1 } })).toEqual([]);
        expect(await findIds(collection, { where: { 'lines.n': null } })).toEqual(['a', 'b']);
      });

      it('matches in lists, null included, and nothing for an empty list', async () => {
        const { collection } = await collectionWith(invoices);
        expect(await findIds(collection, { where: { status: { in: ['paid', 'void'] } } })).toEqual([
          'i2',
          'i4',
        ]);
        expect(await findIds(collection, { where: { paid: { in: [true, null] } } })).toEqual([
          'i2',
          'i4',
          'i5',
        ]);
        expect(await findIds(collection, { where: { status: { in: [] } } })).toEqual([]);
      });

      it('compares ranges only within the bound type', async () => {
        const { collection } = await collectionWith(invoices);
        expect(await findIds(collection, { where: { total: { gt: 75.5 } } })).toEqual(['i1', 'i2']);
        expect(await findIds(collection, { where: { total: { gte: 75.5, lt: 250 } } })).toEqual([
          'i1',
          'i3',
        ]);
        expect(await findIds(collection, { where: { total: { lte: 0 } } })).toEqual(['i4']);
        expect(await findIds(collection, { where: { total: { gt: '1' } } })).toEqual(['i5']);
        expect(
          await findIds(collection, { where: { due: { gte: '2026-01-31', lte: '2026-03-15' } } }),
        ).toEqual(['i2', 'i3', 'i4']);
      });

      it('combines conditions on several fields with and', async () => {
        const { collection } = await collectionWith(invoices);
        expect(
          await findIds(collection, {
            where: { status: 'open', 'customer.id': 'c1', due: { gt: '2026-02-01' } },
          }),
        ).toEqual(['i3']);
      });

      it('sorts by several keys in both directions, the id last', async () => {
        const { collection } = await collectionWith({
          a: { group: 'x', rank: 2 },
          b: { group: 'y', rank: 1 },
          c: { group: 'x', rank: 1 },
          d: { group: 'x', rank: 2 },
          e: { group: 'y', rank: 3 },
        });
        expect(
          await findIds(collection, {
            sort: [
              { field: 'group', direction: 'asc' },
              { field: 'rank', direction: 'desc' },
            ],
          }),
        ).toEqual(['a', 'd', 'c', 'e', 'b']);
        expect(await findIds(collection, { sort: [{ field: 'rank', direction: 'asc' }] })).toEqual([
          'b',
          'c',
          'a',
          'd',
          'e',
        ]);
      });

      it('orders by the id when no sort is given', async () => {
        const { collection } = await collectionWith({ b: {}, c: {}, a: {} });
        expect(await findIds(collection, {})).toEqual(['a', 'b', 'c']);
      });

      it('pages through every document once, in order, with cursors', async () => {
        const bodies: Record<string, JsonObject> = {};
        for (let i = 0; i < 53; i += 1) {
          bodies[`doc-${String(i).padStart(2, '0')}`] = { bucket: i % 4, amount: (i * 7) % 11 };
        }
        const { collection } = await collectionWith(bodies);
        const sort = [
          { field: 'bucket', direction: 'desc' as const },
          { field: 'amount', direction: 'asc' as const },
        ];
        const everything = await findIds(collection, { sort });
        expect(everything).toHaveLength(53);
        for (const limit of [1, 5, 10, 53, 100]) {
          expect(await findAll(collection, { sort, limit })).toEqual(everything);
        }
        const filtered = await findAll(collection, { sort, limit: 4, where: { bucket: 2 } });
        expect(filtered).toEqual(everything.filter((id) => bodies[id]!.bucket === 2));
      });

      it('gives no cursor on the last page, and a cursor when more may follow', async () => {
        const { collection } = await collectionWith({ a: {}, b: {}, c: {} });
        const first = await store.find(collection, { limit: 2 });
        expect(ids(first.documents)).toEqual(['a', 'b']);
        expect(first.nextCursor).toBeDefined();
        const second = await store.find(collection, { limit: 2, cursor: first.nextCursor });
        expect(ids(second.documents)).toEqual(['c']);
        expect(second.nextCursor).toBeUndefined();
        expect((await store.find(collection, { limit: 3 })).nextCursor).toBeUndefined();
      });

      it('keeps a cursor stable while documents are added and changed', async () => {
        const { collection } = await collectionWith({ b: { n: 1 }, d: { n: 1 }, f: { n: 1 } });
        const first = await store.find(collection, { limit: 2 });
        expect(ids(first.documents)).toEqual(['b', 'd']);
        await store.writeBatch(collection, [
          put('a', 10n, { n: 2 }),
          put('e', 10n, { n: 2 }),
          put('d', 10n, { n: 2 }),
        ]);
        const rest = await store.find(collection, { limit: 10, cursor: first.nextCursor });
        expect(ids(rest.documents)).toEqual(['e', 'f']);
      });

      it('refuses a malformed cursor, a bad limit and unknown operators', async () => {
        const { collection } = await collectionWith({ a: { n: 1 } });
        await expect(store.find(collection, { cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
          InvalidQueryError,
        );
        const page = await store.find(collection, { limit: 1 });
        expect(page.nextCursor).toBeUndefined();
        const cursor = Buffer.from(JSON.stringify([[1], 'a'])).toString('base64url');
        // A cursor made for another sort.
        await expect(store.find(collection, { cursor })).rejects.toBeInstanceOf(InvalidQueryError);
        await expect(store.find(collection, { limit: 0 })).rejects.toBeInstanceOf(
          InvalidQueryError,
        );
        await expect(
          store.find(collection, { where: { n: { regex: '.*' } as never } }),
        ).rejects.toBeInstanceOf(InvalidQueryError);
        await expect(store.find(collection, { where: { 'n; --': 1 } })).rejects.toBeInstanceOf(
          InvalidQueryError,
        );
      });

      it('counts with and without conditions', async () => {
        const { collection } = await collectionWith(invoices);
        expect(await store.count(collection)).toBe(5);
        expect(await store.count(collection, { status: 'open' })).toBe(3);
        expect(await store.count(collection, { total: { gte: 100 } })).toBe(2);
      });
    });

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
