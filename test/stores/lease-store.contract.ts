/**
 * The behaviour every LeaseStore adapter must show, written against the port only. Each test
 * uses lease names of its own (random), so the suite can run against a shared server.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeaseStore } from '../../src/stores/lease-store.js';

export type MakeLeaseStore = () => Promise<{
  store: LeaseStore;
  /** A second store over the same data, as another instance of the service would open it. */
  other: LeaseStore;
  dispose: () => Promise<void>;
}>;

export function describeLeaseStoreContract(adapterName: string, makeStore: MakeLeaseStore): void {
  describe(`LeaseStore contract: ${adapterName}`, () => {
    let store: LeaseStore;
    let other: LeaseStore;
    let dispose: () => Promise<void>;

    beforeAll(async () => {
      ({ store, other, dispose } = await makeStore());
    });

    afterAll(async () => {
      await dispose();
    });

    const at = (ms: number) => new Date(Date.UTC(2026, 10, 23) + ms);
    const newName = () => `lease-${randomUUID()}`;

    it('grants a free lease and refuses it to others until it expires', async () => {
      const name = newName();
      const lease = (holder: string, ms: number) =>
        store.acquire({ name, holder, ttlMs: 1_000, now: at(ms) });
      expect(await lease('a', 0)).toBe(true);
      expect(await lease('b', 500)).toBe(false);
      expect(await lease('a', 900)).toBe(true);
      // Renewed at 900: still a's at 1_500.
      expect(await lease('b', 1_500)).toBe(false);
      expect(await lease('b', 1_900)).toBe(true);
      expect(await lease('a', 2_000)).toBe(false);
    });

    it('frees a lease only when its holder releases it', async () => {
      const name = newName();
      const lease = (holder: string) => store.acquire({ name, holder, ttlMs: 60_000, now: at(0) });
      expect(await lease('a')).toBe(true);
      await store.release(name, 'b');
      expect(await lease('b')).toBe(false);
      await store.release(name, 'a');
      expect(await lease('b')).toBe(true);
    });

    it('leaves a lease taken over after expiry with its new holder when the old one releases', async () => {
      const name = newName();
      expect(await store.acquire({ name, holder: 'old', ttlMs: 1_000, now: at(0) })).toBe(true);
      expect(await store.acquire({ name, holder: 'new', ttlMs: 60_000, now: at(2_000) })).toBe(
        true,
      );
      // The old holder wakes from a long pause and gives up what it believes it holds.
      await store.release(name, 'old');
      expect(await store.acquire({ name, holder: 'old', ttlMs: 1_000, now: at(3_000) })).toBe(
        false,
      );
      expect(await store.acquire({ name, holder: 'new', ttlMs: 60_000, now: at(3_000) })).toBe(
        true,
      );
    });

    it('keeps leases of different names apart', async () => {
      const first = newName();
      const second = newName();
      expect(await store.acquire({ name: first, holder: 'a', ttlMs: 60_000, now: at(0) })).toBe(
        true,
      );
      expect(await store.acquire({ name: second, holder: 'b', ttlMs: 60_000, now: at(0) })).toBe(
        true,
      );
      await store.release(second, 'b');
      expect(await store.acquire({ name: first, holder: 'b', ttlMs: 60_000, now: at(1) })).toBe(
        false,
      );
    });

    /** Eight holders, half through each store, all asking for `name` at `now`. */
    const winnersOfRace = async (name: string, now: Date) => {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 === 0 ? store : other).acquire({ name, holder: `h${i}`, ttlMs: 60_000, now }),
        ),
      );
      return results.filter(Boolean).length;
    };

    it('lets exactly one of racing holders take a free lease', async () => {
      const name = newName();
      expect(await winnersOfRace(name, at(0))).toBe(1);
    });

    it('lets exactly one of racing holders take over an expired lease', async () => {
      const name = newName();
      expect(await store.acquire({ name, holder: 'dead', ttlMs: 1_000, now: at(0) })).toBe(true);
      expect(await winnersOfRace(name, at(5_000))).toBe(1);
    });

    it('shows a lease taken through one store to another over the same data', async () => {
      const name = newName();
      expect(await store.acquire({ name, holder: 'a', ttlMs: 60_000, now: at(0) })).toBe(true);
      expect(await other.acquire({ name, holder: 'b', ttlMs: 60_000, now: at(1) })).toBe(false);
      await store.release(name, 'a');
      expect(await other.acquire({ name, holder: 'b', ttlMs: 60_000, now: at(2) })).toBe(true);
    });
  });
}
