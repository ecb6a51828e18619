import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
  runIdempotently,
  type IdempotencyDeps,
} from '../../src/commands/idempotency.js';
import type { StoredResponse } from '../../src/stores/idempotency-store.js';
import { openSqliteDatabase } from '../../src/stores/sqlite/database.js';
import { createSqliteIdempotencyStore } from '../../src/stores/sqlite/sqlite-idempotency-store.js';

const created: StoredResponse = { status: 201, headers: { ETag: '"0"' }, body: { id: 'x' } };

describe('runIdempotently', () => {
  let dir: string;
  let db: Database;
  let deps: IdempotencyDeps;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'idempotency-'));
    db = openSqliteDatabase(join(dir, 'events.db'));
    deps = {
      store: createSqliteIdempotencyStore(db),
      clock: () => new Date(),
      leaseMs: 60_000,
      waitMs: 2_000,
    };
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const request = { scope: 'caller', key: 'k-1', fingerprint: 'f-1' };

  it('runs once and replays the stored answer for the same request', async () => {
    let runs = 0;
    const execute = async () => {
      runs += 1;
      return created;
    };
    const first = await runIdempotently(deps, request, execute);
    const second = await runIdempotently(deps, request, execute);

    expect(runs).toBe(1);
    expect(first).toEqual({ response: created, replayed: false });
    expect(second).toEqual({ response: created, replayed: true });
  });

  it('refuses the same key with another fingerprint', async () => {
    await runIdempotently(deps, request, async () => created);
    await expect(
      runIdempotently(deps, { ...request, fingerprint: 'f-2' }, async () => created),
    ).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it('makes a racing duplicate wait for the first answer instead of running again', async () => {
    let runs = 0;
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const execute = async () => {
      runs += 1;
      await gate;
      return created;
    };
    // The first answers only once the duplicate has found its claim pending, so the duplicate
    // must wait for it rather than find the answer already stored.
    let foundPending!: () => void;
    const duplicateWaits = new Promise<void>((resolve) => (foundPending = resolve));
    const watched: IdempotencyDeps = {
      ...deps,
      store: {
        ...deps.store,
        async claim(...args) {
          const claim = await deps.store.claim(...args);
          if (!claim.claimed && claim.record.state === 'pending') foundPending();
          return claim;
        },
      },
    };
    const first = runIdempotently(watched, request, execute);
    const second = runIdempotently(watched, request, execute);
    void duplicateWaits.then(finish);

    const [a, b] = await Promise.all([first, second]);
    expect(runs).toBe(1);
    expect(a.response).toEqual(created);
    expect(b).toEqual({ response: created, replayed: true });
  });

  it('answers "in progress" when the first attempt outlasts the wait', async () => {
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const first = runIdempotently(deps, request, async () => {
      await gate;
      return created;
    });
    await expect(
      runIdempotently({ ...deps, waitMs: 30 }, request, async () => created),
    ).rejects.toBeInstanceOf(IdempotencyInProgressError);
    finish();
    await first;
  });

  it('releases the key when execution throws, so a retry runs again', async () => {
    await expect(
      runIdempotently(deps, request, async () => {
        throw new Error('database on fire');
      }),
    ).rejects.toThrow('database on fire');
    const retry = await runIdempotently(deps, request, async () => created);
    expect(retry).toEqual({ response: created, replayed: false });
  });

  it('judges a claim expired by its own clock, so a retry takes over once the lease ran out', async () => {
    let now = new Date('2026-11-02T10:00:00Z');
    const timed = { ...deps, clock: () => now, leaseMs: 1_000, waitMs: 0 };
    await deps.store.claim(request, request.fingerprint, new Date(now.getTime() + 1_000), now);

    now = new Date('2026-11-02T10:00:05Z');
    const retry = await runIdempotently(timed, request, async () => created);
    expect(retry).toEqual({ response: created, replayed: false });
  });
});
