/**
 * The embedded idempotency store beside the SQLite event store: the port's contract, and what
 * it is for: a keyed command commits nothing of its own, and a crash between a command's events
 * and its stored answer still gives a retry the same answer without a second write.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { CommandContext } from '../../src/commands/command-context.js';
import {
  createCommandHandler,
  type CommandResult,
  type CommandSpec,
} from '../../src/commands/command-handler.js';
import { IdempotencyKeyReusedError, runIdempotently } from '../../src/commands/idempotency.js';
import { uuidGenerator } from '../../src/commands/ids.js';
import { createKeyedLock } from '../../src/commands/keyed-lock.js';
import type { Decider } from '../../src/domain/shared/decider.js';
import type { StoredResponse } from '../../src/stores/idempotency-store.js';
import { openSqliteDatabase, type SqliteDatabase } from '../../src/stores/sqlite/database.js';
import { createEmbeddedIdempotency } from '../../src/stores/sqlite/sqlite-embedded-idempotency-store.js';
import { createSqliteEventStore } from '../../src/stores/sqlite/sqlite-event-store.js';
import { describeIdempotencyStoreContract } from './idempotency-store.contract.js';

const dirs: string[] = [];
const newFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'embedded-idempotency-'));
  dirs.push(dir);
  return join(dir, 'backoffice.db');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// One process has one store on its file, so the contract's "other instance" is the same one.
describeIdempotencyStoreContract('SQLite, embedded beside the event store', async () => {
  const db = openSqliteDatabase(newFile());
  const embedded = createEmbeddedIdempotency(db);
  const events = createSqliteEventStore(db, { companion: embedded.companion });
  const store = embedded.store();
  return {
    store,
    other: store,
    dispose: async () => {
      await events.close();
      db.close();
    },
  };
});

/** A counter that refuses to go above 10: a command with a rule, events and a refusal. */
type Incremented = { type: 'Incremented'; data: { by: number } };
type Increment = { type: 'Increment'; by: number };
const counterDecider: Decider<number, Increment, Incremented> = {
  initialState: 0,
  evolve: (total, event) => total + event.data.by,
  decide: (command, total) => {
    if (total + command.by > 10) throw new Error('limit');
    return [{ type: 'Incremented', data: { by: command.by } }];
  },
};
const counter = (
  streamId: string,
  by: number,
  verify?: CommandSpec<number, Increment, Incremented>['verify'],
): CommandSpec<number, Increment, Incremented> => ({
  streamId,
  decider: counterDecider,
  schemas: { Incremented: z.strictObject({ by: z.number().int() }) },
  command: { type: 'Increment', by },
  verify,
});

/** The process: the event store, the embedded idempotency store beside it, a command handler. */
function openProcess(file: string, options: { idleFlushMs?: number } = {}) {
  const db = openSqliteDatabase(file);
  // Long enough never to fire in a test unless it asks for it.
  const embedded = createEmbeddedIdempotency(db, { idleFlushMs: options.idleFlushMs ?? 3_600_000 });
  const commits: number[] = [];
  const events = createSqliteEventStore(db, {
    companion: embedded.companion,
    onCommit: (appends) => commits.push(appends),
  });
  const store = embedded.store();
  const handle = createCommandHandler({
    eventStore: events,
    clock: () => new Date('2026-11-02T10:00:00Z'),
    ids: uuidGenerator,
    locks: createKeyedLock(),
    maxAttempts: 5,
  });
  let executions = 0;
  const replays: boolean[] = [];
  const deps = { store, clock: () => new Date(), leaseMs: 60_000, waitMs: 5_000 };

  /** As the HTTP layer answers a command: rendered from its result, refusals remembered. */
  const answer = (result: CommandResult<number>): StoredResponse => ({
    status: 201,
    headers: { ETag: `"${result.revision}"`, 'X-Position': result.position.toString() },
    body: { total: result.state, position: result.position.toString() },
  });
  const command = async (
    context: CommandContext,
    spec: CommandSpec<number, Increment, Incremented>,
  ) => {
    executions += 1;
    try {
      const result = await handle(context, spec);
      replays.push(result.replayed);
      return answer(result);
    } catch (error) {
      return { status: 409, headers: {}, body: { refused: (error as Error).message } };
    }
  };
  const context = (key?: string): CommandContext => ({
    actor: 'finance-app',
    correlationId: 'c',
    causationId: 'r',
    requestId: 'r',
    idempotencyKey: key,
  });

  return {
    db,
    events,
    store,
    commits,
    replays,
    executions: () => executions,
    /** A request with an Idempotency-Key: claim, run the command, store its answer. */
    keyed: (key: string, spec: CommandSpec<number, Increment, Incremented>, fingerprint = 'f-1') =>
      runIdempotently(deps, { scope: 'finance-app', key, fingerprint }, () =>
        command(context(key), spec),
      ),
    unkeyed: (spec: CommandSpec<number, Increment, Incremented>) => command(context(), spec),
    async close() {
      await events.close();
      db.close();
    },
    /** The process dies: nothing still in memory reaches the file. */
    crash() {
      db.close();
    },
  };
}

/** The record as the file holds it, read through a connection of its own. */
function storedRow(file: string, key: string) {
  const db: SqliteDatabase = openSqliteDatabase(file);
  try {
    return db
      .prepare<[string], { state: string; fingerprint: string; lease_until: string | null }>(
        `SELECT state, fingerprint, lease_until FROM idempotency_keys
         WHERE scope = 'finance-app' AND key = ?`,
      )
      .get(key);
  } finally {
    db.close();
  }
}

describe('embedded idempotency: no commit of its own', () => {
  it('commits keyed commands in as many transactions as the same commands without keys', async () => {
    const file = newFile();
    const node = openProcess(file);
    await Promise.all(Array.from({ length: 8 }, (_, i) => node.unkeyed(counter(`plain-${i}`, 1))));
    const unkeyedCommits = node.commits.length;

    node.commits.length = 0;
    const keys = Array.from({ length: 8 }, () => randomUUID());
    const answers = await Promise.all(
      keys.map((key, i) => node.keyed(key, counter(`keyed-${i}`, 1))),
    );

    expect(answers.every(({ response }) => response.status === 201)).toBe(true);
    expect(node.commits).toHaveLength(unkeyedCommits);
    // Each transaction carried appends: none was there for a claim or an answer alone.
    expect(node.commits.every((appends) => appends > 0)).toBe(true);
    // The claims' fingerprints committed with the events; the answers ride the next commit.
    for (const key of keys) expect(storedRow(file, key)).toMatchObject({ state: 'pending' });
    await node.unkeyed(counter('plain-next', 1));
    expect(node.commits.every((appends) => appends > 0)).toBe(true);
    for (const key of keys) expect(storedRow(file, key)).toMatchObject({ state: 'completed' });
    await node.close();
  });

  it('needs one commit per keyed command one after another, each answer in the next', async () => {
    const file = newFile();
    const node = openProcess(file);
    const keys = Array.from({ length: 5 }, () => randomUUID());
    for (const [i, key] of keys.entries()) {
      await node.keyed(key, counter(`one-by-one-${i}`, 1));
      expect(node.commits).toHaveLength(i + 1);
      if (i > 0) expect(storedRow(file, keys[i - 1]!)).toMatchObject({ state: 'completed' });
    }
    expect(node.commits.every((appends) => appends === 1)).toBe(true);
    // Closing commits the last answer.
    await node.close();
    expect(storedRow(file, keys.at(-1)!)).toMatchObject({ state: 'completed' });
  });

  it('commits answers alone once no append has come for idleFlushMs', async () => {
    const file = newFile();
    const node = openProcess(file, { idleFlushMs: 1 });
    const key = randomUUID();
    await node.keyed(key, counter('idle', 1));
    await vi.waitFor(() => expect(storedRow(file, key)).toMatchObject({ state: 'completed' }));
    expect(node.commits).toEqual([1, 0]);
    await node.close();
  });

  it('stores an answer without events (a refusal) before giving it', async () => {
    const file = newFile();
    const node = openProcess(file);
    const key = randomUUID();
    const { response } = await node.keyed(key, counter('refused', 11));
    expect(response.status).toBe(409);
    // Nothing else could repeat it, so it is on disk before anyone is told.
    expect(storedRow(file, key)).toMatchObject({ state: 'completed' });
    expect(node.commits).toEqual([0]);
    await node.close();
  });
});

describe('embedded idempotency: a crash between the events and the answer', () => {
  it('answers a retry from the stored events, the same, and writes nothing more', async () => {
    const file = newFile();
    const before = openProcess(file);
    const key = randomUUID();
    const first = await before.keyed(key, counter('crashed', 3));
    expect(first).toMatchObject({ replayed: false, response: { status: 201 } });
    // The answer was given; on the file there are the events and the claim's fingerprint only.
    expect(storedRow(file, key)).toEqual({
      state: 'pending',
      fingerprint: 'f-1',
      lease_until: null,
    });
    before.crash();

    const after = openProcess(file);
    const retry = await after.keyed(key, counter('crashed', 3));
    expect(retry).toEqual({ response: first.response, replayed: true });
    expect(after.replays).toEqual([true]);
    expect(await after.events.readStream('crashed')).toHaveLength(1);
    // Now the answer is stored, and the next retry does not run the command at all.
    expect(storedRow(file, key)).toMatchObject({ state: 'completed' });
    expect(await after.keyed(key, counter('crashed', 3))).toEqual(retry);
    expect(after.executions()).toBe(1);
    await after.close();
  });

  it('refuses a retry with another body (422) from the fingerprint stored with the events', async () => {
    const file = newFile();
    const before = openProcess(file);
    const key = randomUUID();
    await before.keyed(key, counter('crashed-422', 3));
    before.crash();

    const after = openProcess(file);
    await expect(after.keyed(key, counter('crashed-422-other', 4), 'f-2')).rejects.toBeInstanceOf(
      IdempotencyKeyReusedError,
    );
    expect(after.executions()).toBe(0);
    expect(await after.events.readStream('crashed-422-other')).toHaveLength(0);
    await after.close();
  });

  it('repeats a refusal by verify after the append, which judges only the log before it', async () => {
    const file = newFile();
    const before = openProcess(file);
    // Something the command must not follow (a period's close, say) is already in the log.
    await before.unkeyed(counter('closes', 1));
    const verify = async (result: CommandResult<number>) => {
      const closes = await before.events.readStream('closes');
      if (closes.some((event) => event.position < result.position)) throw new Error('too late');
    };
    const key = randomUUID();
    const first = await before.keyed(key, counter('late', 2, verify));
    expect(first.response).toMatchObject({ status: 409, body: { refused: 'too late' } });
    before.crash();

    const after = openProcess(file);
    const verifyAfter = async (result: CommandResult<number>) => {
      const closes = await after.events.readStream('closes');
      if (closes.some((event) => event.position < result.position)) throw new Error('too late');
    };
    // Later writes to what verify reads cannot change its judgement of the earlier position.
    await after.unkeyed(counter('closes', 1));
    const retry = await after.keyed(key, counter('late', 2, verifyAfter));
    expect(retry).toEqual({ response: first.response, replayed: true });
    expect(await after.events.readStream('late')).toHaveLength(1);
    await after.close();
  });

  it('keeps the fingerprints stored with events on restart, and drops claims of a dead process', async () => {
    const file = newFile();
    const before = openProcess(file);
    const key = randomUUID();
    await before.keyed(key, counter('kept', 1));
    // A claim as an older version (or the store used on EventStoreDB) left it: with a lease.
    const leased = randomUUID();
    before.db
      .prepare(
        `INSERT INTO idempotency_keys (scope, key, fingerprint, state, lease_until, created_at)
         VALUES ('finance-app', ?, 'f-1', 'pending', '2999-01-01T00:00:00.000Z', '2026-11-02')`,
      )
      .run(leased);
    before.crash();

    const after = openProcess(file);
    expect(storedRow(file, key)).toMatchObject({ state: 'pending', lease_until: null });
    expect(storedRow(file, leased)).toBeUndefined();
    await after.close();
  });
});

describe('embedded idempotency: racing requests with one key', () => {
  it('runs the command once; every other request gets its answer', async () => {
    const node = openProcess(newFile());
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => node.keyed(key, counter('raced', 1))),
    );
    expect(node.executions()).toBe(1);
    expect(await node.events.readStream('raced')).toHaveLength(1);
    expect(new Set(results.map(({ response }) => JSON.stringify(response))).size).toBe(1);
    expect(results.filter(({ replayed }) => !replayed)).toHaveLength(1);
    await node.close();
  });
});
