/**
 * The behaviour every KeyStore adapter must show, written against the port only. Each test uses
 * subjects of its own (random), so the suite can run against a shared server.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyStore, StoredKey } from '../../src/stores/key-store.js';

export type MakeKeyStore = () => Promise<{
  store: KeyStore;
  /** A second store over the same data, as another instance (or process) would open it. */
  other: KeyStore;
  dispose: () => Promise<void>;
}>;

export function describeKeyStoreContract(adapterName: string, makeStore: MakeKeyStore): void {
  describe(`KeyStore contract: ${adapterName}`, () => {
    let store: KeyStore;
    let other: KeyStore;
    let dispose: () => Promise<void>;

    beforeAll(async () => {
      ({ store, other, dispose } = await makeStore());
    });

    afterAll(async () => {
      await dispose();
    });

    const newSubject = () => `employee-${randomUUID()}`;
    const wrappedKey = () => new Uint8Array(randomBytes(60));
    const at = (ms: number) => new Date(Date.UTC(2026, 10, 23) + ms).toISOString();
    const active = (subject: string, wrapped: Uint8Array, createdAt: string): StoredKey => ({
      subject,
      state: 'active',
      wrapped,
      createdAt,
    });

    it('stores a key and finds it, through either store', async () => {
      const subject = newSubject();
      const wrapped = wrappedKey();
      const expected = active(subject, wrapped, at(0));
      expect(await store.createIfAbsent(subject, wrapped, at(0))).toEqual(expected);
      expect(await store.find(subject)).toEqual(expected);
      expect(await other.find(subject)).toEqual(expected);
    });

    it('keeps the bytes it was given, not the caller’s array', async () => {
      const subject = newSubject();
      const wrapped = wrappedKey();
      const original = new Uint8Array(wrapped);
      const created = await store.createIfAbsent(subject, wrapped, at(0));
      wrapped.fill(0);
      expect(created).toEqual(active(subject, original, at(0)));
      expect(await store.find(subject)).toEqual(active(subject, original, at(0)));
    });

    it('keeps the first key when a second is offered', async () => {
      const subject = newSubject();
      const first = wrappedKey();
      await store.createIfAbsent(subject, first, at(0));
      expect(await other.createIfAbsent(subject, wrappedKey(), at(1))).toEqual(
        active(subject, first, at(0)),
      );
      expect(await store.find(subject)).toEqual(active(subject, first, at(0)));
    });

    it('gives every one of racing creators the one key that won', async () => {
      const subject = newSubject();
      const offered = Array.from({ length: 8 }, wrappedKey);
      const results = await Promise.all(
        offered.map((wrapped, i) =>
          (i % 2 === 0 ? store : other).createIfAbsent(subject, wrapped, at(i)),
        ),
      );
      const winner = results[0];
      expect(winner?.state).toBe('active');
      if (winner?.state !== 'active') return;
      expect(offered).toContainEqual(winner.wrapped);
      for (const result of results) expect(result).toEqual(winner);
      expect(await other.find(subject)).toEqual(winner);
    });

    it('destroys a key for good: a tombstone that no later create replaces', async () => {
      const subject = newSubject();
      await store.createIfAbsent(subject, wrappedKey(), at(0));
      const tombstone = { subject, state: 'erased', erasedAt: at(1) };
      expect(await store.destroy(subject, at(1))).toEqual(tombstone);
      expect(await store.find(subject)).toEqual(tombstone);
      expect(await other.find(subject)).toEqual(tombstone);
      expect(await store.createIfAbsent(subject, wrappedKey(), at(2))).toEqual(tombstone);
      expect(await other.createIfAbsent(subject, wrappedKey(), at(3))).toEqual(tombstone);
      expect(await store.find(subject)).toEqual(tombstone);
    });

    it('keeps the first erasedAt when a key is destroyed again', async () => {
      const subject = newSubject();
      await store.createIfAbsent(subject, wrappedKey(), at(0));
      await store.destroy(subject, at(1));
      const tombstone = { subject, state: 'erased', erasedAt: at(1) };
      expect(await store.destroy(subject, at(2))).toEqual(tombstone);
      expect(await other.destroy(subject, at(3))).toEqual(tombstone);
      expect(await store.find(subject)).toEqual(tombstone);
    });

    it('leaves a tombstone for a subject that never had a key, so none can be made', async () => {
      const subject = newSubject();
      const tombstone = { subject, state: 'erased', erasedAt: at(5) };
      expect(await store.destroy(subject, at(5))).toEqual(tombstone);
      expect(await store.find(subject)).toEqual(tombstone);
      expect(await other.createIfAbsent(subject, wrappedKey(), at(6))).toEqual(tombstone);
    });

    it('finds nothing for a subject it never saw', async () => {
      expect(await store.find(newSubject())).toBeUndefined();
    });

    it('ends erased when creates race a destroy, whichever lands first', async () => {
      for (let round = 0; round < 4; round += 1) {
        const subject = newSubject();
        const results = await Promise.all([
          store.createIfAbsent(subject, wrappedKey(), at(0)),
          other.destroy(subject, at(1)),
          other.createIfAbsent(subject, wrappedKey(), at(2)),
          store.destroy(subject, at(3)),
        ]);
        expect(results[1]?.state).toBe('erased');
        expect(results[3]?.state).toBe('erased');
        const tombstone = await store.find(subject);
        expect(tombstone?.state).toBe('erased');
        expect(await other.find(subject)).toEqual(tombstone);
        expect(await store.createIfAbsent(subject, wrappedKey(), at(4))).toEqual(tombstone);
      }
    });
  });
}
