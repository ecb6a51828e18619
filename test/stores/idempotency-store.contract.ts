/**
 * The behaviour every IdempotencyStore adapter must show, written against the port only. Each
 * test uses keys of its own (random), so the suite can run against a shared server.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  IdempotencyKeyRef,
  IdempotencyStore,
  StoredResponse,
} from '../../src/stores/idempotency-store.js';

export type MakeIdempotencyStore = () => Promise<{
  store: IdempotencyStore;
  /**
   * A second store over the same records, as another instance sees them (for the embedded
   * store, which one process uses, a second store on its file, opened before any claim).
   */
  other: IdempotencyStore;
  dispose: () => Promise<void>;
}>;

export function describeIdempotencyStoreContract(
  adapterName: string,
  makeStore: MakeIdempotencyStore,
): void {
  describe(`IdempotencyStore contract: ${adapterName}`, () => {
    let store: IdempotencyStore;
    let other: IdempotencyStore;
    let dispose: () => Promise<void>;

    beforeAll(async () => {
      ({ store, other, dispose } = await makeStore());
    });

    afterAll(async () => {
      await dispose();
    });

    const at = (ms: number) => new Date(Date.UTC(2026, 10, 2, 10) + ms);
    const newRef = (scope = 'caller'): IdempotencyKeyRef => ({ scope, key: randomUUID() });
    const claim = (
      ref: IdempotencyKeyRef,
      fingerprint: string,
      nowMs = 0,
      leaseMs = 1_000,
      via = store,
    ) => via.claim(ref, fingerprint, at(nowMs + leaseMs), at(nowMs));
    const created: StoredResponse = {
      status: 201,
      headers: { ETag: '"0"', Location: '/v1/things/1', 'X-Position': '42' },
      body: { id: 'thing-1', position: '42' },
    };

    it('claims a fresh key; a second claim sees the pending record with its fingerprint', async () => {
      const ref = newRef();
      expect(await claim(ref, 'f-1')).toEqual({ claimed: true });
      const pending = { state: 'pending', fingerprint: 'f-1', leaseUntil: at(1_000).toISOString() };
      expect(await claim(ref, 'f-1', 10)).toEqual({ claimed: false, record: pending });
      expect(await claim(ref, 'f-2', 20)).toEqual({ claimed: false, record: pending });
      expect(await store.get(ref)).toEqual(pending);
    });

    it('lets exactly one of racing claims on one key win, through either store', async () => {
      const ref = newRef();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          claim(ref, `f-${i % 3}`, 0, 60_000, i % 2 === 0 ? store : other),
        ),
      );
      const winners = results.flatMap((result, i) => (result.claimed ? [i] : []));
      expect(winners).toHaveLength(1);
      const winnerFingerprint = `f-${winners[0]! % 3}`;
      for (const result of results) {
        if (!result.claimed) {
          expect(result.record).toMatchObject({
            state: 'pending',
            fingerprint: winnerFingerprint,
          });
        }
      }
    });

    it('returns the completed response exactly, to get and to a later claim', async () => {
      const ref = newRef();
      await claim(ref, 'f-1');
      await store.complete(ref, created);
      expect(await store.get(ref)).toEqual({
        state: 'completed',
        fingerprint: 'f-1',
        response: created,
      });
      // Long after the claim's lease: a completed record is never taken over.
      expect(await claim(ref, 'f-1', 60_000)).toEqual({
        claimed: false,
        record: { state: 'completed', fingerprint: 'f-1', response: created },
      });
      expect(await claim(ref, 'f-2', 60_000)).toMatchObject({
        claimed: false,
        record: { state: 'completed', fingerprint: 'f-1' },
      });
    });

    it('keeps the first answer when a second one is stored for the same key', async () => {
      const ref = newRef();
      await claim(ref, 'f-1');
      await store.complete(ref, created);
      await other.complete(ref, { status: 200, headers: {}, body: { late: true } });
      expect(await store.get(ref)).toMatchObject({ response: created });
    });

    it('lets the next claim win once a pending claim is released', async () => {
      const ref = newRef();
      await claim(ref, 'f-1');
      await store.release(ref);
      expect(await store.get(ref)).toBeUndefined();
      expect(await claim(ref, 'f-2', 10, 1_000, other)).toEqual({ claimed: true });
      expect(await store.get(ref)).toMatchObject({ state: 'pending', fingerprint: 'f-2' });
    });

    it('never releases a completed record', async () => {
      const ref = newRef();
      await claim(ref, 'f-1');
      await store.complete(ref, created);
      await store.release(ref);
      expect(await store.get(ref)).toMatchObject({ state: 'completed', response: created });
    });

    it('takes over an expired pending claim, and not an unexpired one', async () => {
      const ref = newRef();
      await claim(ref, 'f-1', 0, 1_000);
      expect((await claim(ref, 'f-1', 999, 1_000, other)).claimed).toBe(false);
      // The claimant died: its lease ran out at 1_000.
      expect(await claim(ref, 'f-1', 1_500, 1_000, other)).toEqual({ claimed: true });
      expect(await store.get(ref)).toEqual({
        state: 'pending',
        fingerprint: 'f-1',
        leaseUntil: at(2_500).toISOString(),
      });
      // The new claimant's lease protects it in turn.
      expect((await claim(ref, 'f-1', 2_000)).claimed).toBe(false);
      await other.complete(ref, created);
      expect(await store.get(ref)).toMatchObject({ state: 'completed', response: created });
    });

    it('never hands an expired claim to a request with another fingerprint', async () => {
      const ref = newRef();
      await claim(ref, 'f-1', 0, 1_000);
      expect(await claim(ref, 'f-2', 5_000)).toEqual({
        claimed: false,
        record: { state: 'pending', fingerprint: 'f-1', leaseUntil: at(1_000).toISOString() },
      });
    });

    it('lets exactly one of racing retries take over an expired claim', async () => {
      const ref = newRef();
      await claim(ref, 'f-1', 0, 1_000);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          claim(ref, 'f-1', 5_000, 60_000, i % 2 === 0 ? store : other),
        ),
      );
      expect(results.filter((result) => result.claimed)).toHaveLength(1);
    });

    it('keeps keys per scope', async () => {
      const key = randomUUID();
      const first = { scope: 'billing', key };
      const second = { scope: 'shop', key };
      expect(await claim(first, 'f-1')).toEqual({ claimed: true });
      expect(await claim(second, 'f-2')).toEqual({ claimed: true });
      await store.complete(first, created);
      expect(await store.get(second)).toMatchObject({ state: 'pending', fingerprint: 'f-2' });
      await store.release(second);
      expect(await store.get(first)).toMatchObject({ state: 'completed' });
      expect(await store.get(second)).toBeUndefined();
    });

    it('treats scopes and keys as opaque text that never run into each other', async () => {
      const suffix = randomUUID();
      const refs = [
        { scope: 'a:b', key: `c-${suffix}` },
        { scope: 'a', key: `b:c-${suffix}` },
        { scope: 'a', key: `$where.${suffix}` },
        { scope: 'a', key: `"],["x-${suffix}` },
        { scope: 'a', key: `Ünï cödé/?&=${suffix}` },
      ];
      for (const [i, ref] of refs.entries()) {
        expect(await claim(ref, `f-${i}`)).toEqual({ claimed: true });
      }
      for (const [i, ref] of refs.entries()) {
        expect(await other.get(ref)).toMatchObject({ fingerprint: `f-${i}` });
      }
    });

    it('round-trips bodies with keys that have dots, a leading $ or nothing at all', async () => {
      const ref = newRef();
      const response: StoredResponse = {
        status: 409,
        headers: { 'Content-Type': 'application/problem+json', 'X-Odd.Header$': 'a"b' },
        body: {
          'dot.ted': 1,
          $dollar: { $gt: 5, 'a.b': [{ $set: null }] },
          '': 'empty key',
          nested: { list: [1, 'two', [3, [4]], { five: 5 }], nothing: null, yes: true },
          text: 'Grüße "quoted" \\ \n \u0000 日本',
          big: '123456789012345678901234567890',
          fraction: 0.125,
        },
      };
      await claim(ref, 'f-1');
      await store.complete(ref, response);
      expect(await other.get(ref)).toEqual({ state: 'completed', fingerprint: 'f-1', response });
    });

    it('round-trips a body of more than a megabyte', async () => {
      const ref = newRef();
      const lines = Array.from({ length: 12_000 }, (_, i) => ({
        line: i,
        account: `4000-${i % 97}`,
        credit: `${i}.50`,
        description: `line ${i} of a very large journal entry`,
      }));
      const response: StoredResponse = { status: 201, headers: {}, body: { lines } };
      expect(JSON.stringify(response).length).toBeGreaterThan(1_100_000);
      await claim(ref, 'f-1');
      await store.complete(ref, response);
      expect(await other.get(ref)).toEqual({ state: 'completed', fingerprint: 'f-1', response });
    });

    it('knows nothing of a key never claimed, even after complete or release of it', async () => {
      const [never, completed, released] = [newRef(), newRef(), newRef()];
      await store.complete(completed, created);
      await store.release(released);
      expect(await store.get(never)).toBeUndefined();
      expect(await store.get(completed)).toBeUndefined();
      expect(await store.get(released)).toBeUndefined();
      expect(await claim(completed, 'f-1')).toEqual({ claimed: true });
    });
  });
}
