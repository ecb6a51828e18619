import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GENESIS_HASH, eventHash } from '../../src/commands/hash-chain.js';
import { uuidGenerator } from '../../src/commands/ids.js';
import { createKeyedLock } from '../../src/commands/keyed-lock.js';
import type { CommandContext } from '../../src/commands/command-context.js';
import {
  ConcurrencyExhaustedError,
  PreconditionFailedError,
  createCommandHandler,
  type CommandHandler,
  type CommandSpec,
} from '../../src/commands/command-handler.js';
import { observeCommands, type CommandObservation } from '../../src/commands/command-middleware.js';
import type { Decider } from '../../src/domain/shared/decider.js';
import { refuse } from '../../src/domain/shared/errors.js';
import type { EventStore } from '../../src/stores/event-store.js';
import { StoreUnavailableError, WrongExpectedVersionError } from '../../src/stores/event-store.js';
import { openSqliteDatabase } from '../../src/stores/sqlite/database.js';
import { createSqliteEventStore } from '../../src/stores/sqlite/sqlite-event-store.js';

/** A counter: the smallest aggregate that still has a rule (it cannot go above a limit). */
type CounterEvent = { type: 'Incremented'; data: { by: number } };
type Increment = { type: 'Increment'; by: number };
const schemas = { Incremented: z.strictObject({ by: z.number().int() }) };

const counterDecider: Decider<number, Increment, CounterEvent> = {
  initialState: 0,
  evolve: (total, event) => total + event.data.by,
  decide: (command, total) => {
    if (total + command.by > 10) throw new Error('limit');
    return [{ type: 'Incremented', data: { by: command.by } }];
  },
};

function counter(
  streamId: string,
  by: number,
  extra: Partial<CommandSpec<number, Increment, CounterEvent>> = {},
): CommandSpec<number, Increment, CounterEvent> {
  return {
    streamId,
    decider: counterDecider,
    schemas,
    command: { type: 'Increment', by },
    ...extra,
  };
}

const context: CommandContext = {
  actor: 'tester',
  correlationId: 'corr-1',
  causationId: 'req-1',
  requestId: 'req-1',
};

const fixedClock = () => new Date('2026-11-02T10:00:00.000Z');

describe('command pipeline', () => {
  let dir: string;
  let db: Database;
  let store: EventStore;
  let handle: CommandHandler;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pipeline-'));
    db = openSqliteDatabase(join(dir, 'events.db'));
    store = createSqliteEventStore(db);
    handle = createCommandHandler({
      eventStore: store,
      clock: fixedClock,
      ids: uuidGenerator,
      locks: createKeyedLock(),
      maxAttempts: 5,
    });
  });

  afterEach(async () => {
    await store.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('folds, decides and appends, returning revision, position and state', async () => {
    await handle(context, counter('counter-a', 2));
    const result = await handle(context, counter('counter-a', 3));

    expect(result.revision).toBe(1n);
    expect(result.state).toBe(5);
    expect(result.events).toHaveLength(1);
    expect(result.position).toBe(result.events[0]!.position);
    expect(result.replayed).toBe(false);
  });

  it('writes the metadata of DESIGN.md §3 on every event', async () => {
    await handle(
      {
        ...context,
        onBehalfOf: 'alice',
        idempotencyKey: 'key-1',
        occurredAt: '2026-10-31T00:00:00.000Z',
      },
      counter('counter-meta', 1),
    );
    const [event] = await store.readStream('counter-meta');

    expect(event!.metadata).toMatchObject({
      actor: 'tester',
      onBehalfOf: 'alice',
      correlationId: 'corr-1',
      causationId: 'req-1',
      requestId: 'req-1',
      idempotencyKey: 'key-1',
      occurredAt: '2026-10-31T00:00:00.000Z',
      recordedAt: '2026-11-02T10:00:00.000Z',
      schemaVersion: 1,
      prevHash: GENESIS_HASH,
    });
  });

  it('chains each event to the previous one by hash', async () => {
    await handle(context, counter('counter-chain', 1));
    await handle(context, counter('counter-chain', 1));
    const [first, second] = await store.readStream('counter-chain');

    expect(first!.metadata.hash).toBe(eventHash(first!));
    expect(second!.metadata.prevHash).toBe(first!.metadata.hash);
    expect(second!.metadata.hash).toBe(eventHash(second!));
    expect(eventHash({ ...second!, data: { by: 2 } })).not.toBe(second!.metadata.hash);
  });

  it('refuses an event whose data does not match its schema, writing nothing', async () => {
    const spec = counter('counter-schema', 1, {
      decider: { ...counterDecider, decide: () => [{ type: 'Incremented', data: { by: 1.5 } }] },
    });
    await expect(handle(context, spec)).rejects.toThrow();
    expect(await store.readStream('counter-schema')).toEqual([]);
  });

  it('with If-Match, a stale revision is a precondition failure and nothing is written', async () => {
    await handle(context, counter('counter-if-match', 1));
    await handle(context, counter('counter-if-match', 1));

    await expect(
      handle({ ...context, expectedRevision: 0n }, counter('counter-if-match', 1)),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    const ok = await handle({ ...context, expectedRevision: 1n }, counter('counter-if-match', 1));
    expect(ok.revision).toBe(2n);
  });

  it('retries a lost race on fresh state, so the rule holds across racing writers', async () => {
    // Another instance writes between our read and our append: simulated by a store whose
    // first append on the stream loses to a write slipped in just before it.
    let interfered = false;
    const racingStore: EventStore = {
      ...store,
      append: async (streamId, events, options) => {
        if (!interfered) {
          interfered = true;
          await handle(context, counter(streamId, 9));
        }
        return store.append(streamId, events, options);
      },
    };
    const racingHandle = createCommandHandler({
      eventStore: racingStore,
      clock: fixedClock,
      ids: uuidGenerator,
      locks: createKeyedLock(),
      maxAttempts: 5,
    });

    // 9 + 2 would break the limit of 10: after the retry the decider sees 9 and refuses.
    await expect(racingHandle(context, counter('counter-race', 2))).rejects.toThrow('limit');
    const events = await store.readStream('counter-race');
    expect(events.map((event) => event.data)).toEqual([{ by: 9 }]);
  });

  it('gives up after maxAttempts lost races with a retryable error', async () => {
    const alwaysLosing: EventStore = {
      ...store,
      append: async (streamId) => {
        throw new WrongExpectedVersionError(streamId, 'no_stream', 0n);
      },
    };
    const losingHandle = createCommandHandler({
      eventStore: alwaysLosing,
      clock: fixedClock,
      ids: uuidGenerator,
      locks: createKeyedLock(),
      maxAttempts: 3,
    });
    await expect(losingHandle(context, counter('counter-lose', 1))).rejects.toBeInstanceOf(
      ConcurrencyExhaustedError,
    );
  });

  it('serialises concurrent commands on one stream: every one sees the previous', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 15 }, () => handle(context, counter('counter-concurrent', 1))),
    );
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    // The limit of 10 lets exactly ten through, whatever the interleaving.
    expect(fulfilled).toHaveLength(10);
    expect(await store.readStream('counter-concurrent')).toHaveLength(10);
  });

  it('with an Idempotency-Key, derives event ids and answers a repeat from the stored events', async () => {
    const keyed = { ...context, idempotencyKey: 'pay-42' };
    const first = await handle(keyed, counter('counter-idem', 4));
    // The repeat would break the limit if it ran again (4 + 4 + 4 > 10 after another write);
    // it must not run at all.
    await handle(context, counter('counter-idem', 4));
    const again = await handle(keyed, counter('counter-idem', 4));

    expect(again.replayed).toBe(true);
    expect(again.events.map((event) => event.id)).toEqual(first.events.map((event) => event.id));
    expect(again.position).toBe(first.position);
    expect(again.state).toBe(4);
    expect(await store.readStream('counter-idem')).toHaveLength(2);
  });

  it('derives different event ids for the same key used by different actors', async () => {
    const a = await handle(
      { ...context, actor: 'a', idempotencyKey: 'k' },
      counter('counter-actors', 1),
    );
    const b = await handle(
      { ...context, actor: 'b', idempotencyKey: 'k' },
      counter('counter-actors', 1),
    );
    expect(b.replayed).toBe(false);
    expect(a.events[0]!.id).not.toBe(b.events[0]!.id);
  });
});

describe('command middleware', () => {
  let dir: string;
  let db: Database;
  let store: EventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'middleware-'));
    db = openSqliteDatabase(join(dir, 'events.db'));
    store = createSqliteEventStore(db);
  });

  afterEach(async () => {
    await store.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function observed(eventStore: EventStore = store) {
    const seen: CommandObservation[] = [];
    const order: string[] = [];
    const handle = createCommandHandler({
      eventStore,
      clock: fixedClock,
      ids: uuidGenerator,
      locks: createKeyedLock(),
      maxAttempts: 2,
      middleware: [
        async (call, next) => {
          order.push(`outer before ${call.commandType}`);
          const result = await next();
          order.push('outer after');
          return result;
        },
        observeCommands((observation) => seen.push(observation)),
      ],
    });
    return { handle, seen, order };
  }

  it('wraps every command, outermost first, and reports its outcome and duration', async () => {
    const { handle, seen, order } = observed();
    await handle(context, counter('counter-mw', 4));
    await handle({ ...context, idempotencyKey: 'k' }, counter('counter-mw', 4));
    await handle({ ...context, idempotencyKey: 'k' }, counter('counter-mw', 4));
    await expect(handle(context, counter('counter-mw', 9))).rejects.toThrow('limit');
    await expect(
      handle({ ...context, expectedRevision: 0n }, counter('counter-mw', 1)),
    ).rejects.toBeInstanceOf(PreconditionFailedError);

    expect(order.slice(0, 2)).toEqual(['outer before Increment', 'outer after']);
    expect(
      seen.map((o) => [o.call.commandType, o.call.streamId, o.outcome, o.eventsAppended]),
    ).toEqual([
      ['Increment', 'counter-mw', 'accepted', 1],
      ['Increment', 'counter-mw', 'accepted', 1],
      ['Increment', 'counter-mw', 'replayed', 0],
      // A plain Error is not a business refusal: only DomainErrors are `refused`.
      ['Increment', 'counter-mw', 'failed', 0],
      ['Increment', 'counter-mw', 'conflict', 0],
    ]);
    for (const observation of seen) expect(observation.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a decider refusal as refused and a store outage as failed', async () => {
    const refusing = counter('counter-refused', 1, {
      decider: {
        ...counterDecider,
        decide: () => refuse({ kind: 'conflict', code: 'Full', message: 'full' }),
      },
    });
    const down: EventStore = {
      ...store,
      readStream: async () => {
        throw new StoreUnavailableError('down');
      },
    };
    const up = observed();
    await expect(up.handle(context, refusing)).rejects.toThrow('full');
    const outage = observed(down);
    await expect(outage.handle(context, counter('counter-down', 1))).rejects.toThrow('down');
    expect(up.seen.map((o) => o.outcome)).toEqual(['refused']);
    expect(outage.seen.map((o) => o.outcome)).toEqual(['failed']);
  });

  it("never lets a listener's failure change the command's answer", async () => {
    const handle = createCommandHandler({
      eventStore: store,
      clock: fixedClock,
      ids: uuidGenerator,
      locks: createKeyedLock(),
      maxAttempts: 2,
      middleware: [
        observeCommands(() => {
          throw new Error('listener broke');
        }),
      ],
    });
    const result = await handle(context, counter('counter-listener', 1));
    expect(result.events).toHaveLength(1);
  });

  it('with history last-event, reads only the last event yet chains and expects its revision', async () => {
    let fullReads = 0;
    const counting: EventStore = {
      ...store,
      readStream: (streamId, options) => {
        if (options?.direction !== 'backwards' && options?.fromRevision === undefined) {
          fullReads += 1;
        }
        return store.readStream(streamId, options);
      },
    };
    const { handle } = observed(counting);
    const appendOnly = { history: 'last-event' as const };
    await handle(context, counter('log-1', 1, appendOnly));
    await handle(context, counter('log-1', 1, appendOnly));
    const third = await handle(context, counter('log-1', 1, appendOnly));

    expect(fullReads).toBe(0);
    expect(third.revision).toBe(2n);
    const [first, second, last] = await store.readStream('log-1');
    expect(second!.metadata.prevHash).toBe(first!.metadata.hash);
    expect(last!.metadata.prevHash).toBe(second!.metadata.hash);
  });
});
