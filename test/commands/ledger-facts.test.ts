import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uuidGenerator } from '../../src/commands/ids.js';
import { createLedgerFacts } from '../../src/commands/ledger/ledger-facts.js';
import { ledgerStreams } from '../../src/domain/ledger/streams.js';
import type { EventStore, JsonObject } from '../../src/stores/event-store.js';
import { openSqliteDatabase } from '../../src/stores/sqlite/database.js';
import { createSqliteEventStore } from '../../src/stores/sqlite/sqlite-event-store.js';

describe('ledger facts kept current by the log', () => {
  let db: Database;
  let store: EventStore;
  let logReads: { head: number; pages: number; streams: number };
  let watched: EventStore;

  beforeEach(() => {
    db = openSqliteDatabase(':memory:');
    store = createSqliteEventStore(db);
    logReads = { head: 0, pages: 0, streams: 0 };
    watched = {
      ...store,
      async headPosition() {
        logReads.head += 1;
        return store.headPosition();
      },
      async readAll(options) {
        logReads.pages += 1;
        return store.readAll(options);
      },
      async readStream(streamId, options) {
        logReads.streams += 1;
        return store.readStream(streamId, options);
      },
    };
  });

  afterEach(async () => {
    await store.close();
    db.close();
  });

  /** What another instance stores, straight to the log; answers its position. */
  const stored = async (streamId: string, type: string, data: JsonObject) =>
    (
      await store.append(streamId, [{ id: uuidGenerator.random(), type, data, metadata: {} }], {
        expectedRevision: 'any',
      })
    ).position;

  const openAccount = (code: string) =>
    stored(ledgerStreams.account(code), 'AccountOpened', {
      code,
      name: `Account ${code}`,
      type: 'asset',
      currency: 'EUR',
    });
  const closePeriod = (period: string) =>
    stored(ledgerStreams.periodLock, 'PeriodClosed', { period });
  const reopenPeriod = (period: string) =>
    stored(ledgerStreams.periodLock, 'PeriodReopened', { period, reason: 'late invoice' });

  it('sees accounts opened and periods closed since its last read, by any writer', async () => {
    const facts = createLedgerFacts({ eventStore: watched });
    const before = await facts.current();
    expect(await before.account('1000')).toEqual({ status: 'none' });
    expect(await before.closedAt('2026-03')).toBeUndefined();

    await openAccount('1000');
    await stored('journalEntry-JE-1', 'SomethingElse', {});
    const closedAt = await closePeriod('2026-03');
    const now = await facts.current();
    expect(await now.account('1000')).toMatchObject({
      status: 'open',
      code: '1000',
      currency: 'EUR',
    });
    expect(await now.closedAt('2026-03')).toBe(closedAt);
    expect(await now.closedAt('2026-04')).toBeUndefined();
  });

  it('reads nothing for a position it has already read past', async () => {
    const facts = createLedgerFacts({ eventStore: watched });
    await (await facts.current()).closedAt('2026-03');
    const closedAt = await closePeriod('2026-03');
    const posting = await stored('journalEntry-JE-1', 'SomethingElse', {});
    await facts.current();

    logReads = { head: 0, pages: 0, streams: 0 };
    expect(await (await facts.upTo(posting)).closedAt('2026-03')).toBe(closedAt);
    expect(logReads).toEqual({ head: 0, pages: 0, streams: 0 });

    const later = await stored('journalEntry-JE-2', 'SomethingElse', {});
    await facts.upTo(later);
    expect(logReads.pages).toBe(1);
  });

  it('asks the log once for callers that arrive together', async () => {
    const facts = createLedgerFacts({ eventStore: watched });
    await openAccount('1000');
    await Promise.all([facts.current(), facts.current(), facts.current()]);
    // All three called before the first read began, so its head is fresh enough for each.
    expect(logReads.head).toBe(1);
  });

  it('reads a log longer than one page', async () => {
    const facts = createLedgerFacts({ eventStore: watched });
    await facts.current();
    for (let n = 0; n < 1005; n += 1) await openAccount(`A${n}`);
    const now = await facts.current();
    expect(logReads.pages).toBe(2);
    expect(await now.account('A0')).toMatchObject({ status: 'open' });
    expect(await now.account('A1004')).toMatchObject({ status: 'open' });
  });

  it('reads what came before its first read once: the account asked about, and the lock', async () => {
    const closedAt = await closePeriod('2026-03');
    await openAccount('1000');
    const facts = createLedgerFacts({ eventStore: watched });
    const now = await facts.current();
    // Nothing before the first position is scanned for until asked.
    expect(logReads.pages).toBe(0);
    expect(await now.closedAt('2026-03')).toBe(closedAt);
    // The lock: one filtered read of the log for closes and reopens.
    expect(logReads.pages).toBe(1);
    expect(await now.account('1000')).toMatchObject({ status: 'open' });
    expect(logReads.streams).toBe(1);
    const again = await facts.current();
    expect(await again.closedAt('2026-03')).toBe(closedAt);
    expect(await again.account('1000')).toMatchObject({ status: 'open' });
    expect(logReads).toMatchObject({ pages: 1, streams: 1 });
  });

  it('closes every month on or before the lock date, and a reopen moves it back', async () => {
    const facts = createLedgerFacts({ eventStore: watched });
    await facts.current();
    const closedAt = await closePeriod('2026-10');
    let now = await facts.current();
    expect(await now.closedAt('2026-10')).toBe(closedAt);
    expect(await now.closedAt('2025-01')).toBe(closedAt);
    expect(await now.closedAt('2026-11')).toBeUndefined();

    const reopenedAt = await reopenPeriod('2026-09');
    now = await facts.current();
    expect(await now.lock()).toEqual({ lockedThrough: '2026-08', setAt: reopenedAt });
    expect(await now.closedAt('2026-09')).toBeUndefined();
    expect(await now.closedAt('2026-08')).toBe(reopenedAt);
    // As the lock stood just before the reopen: still closed then.
    expect(await now.closedAt('2026-09', reopenedAt)).toBe(closedAt);
    expect(await now.closedAt('2026-09', closedAt)).toBeUndefined();
    expect((await now.lockHistory()).map((change) => [change.type, change.lockedThrough])).toEqual([
      ['PeriodClosed', '2026-10'],
      ['PeriodReopened', '2026-08'],
    ]);
  });

  it('counts the closes stored one stream per month before the lock stream, until it decides', async () => {
    const march = await stored(ledgerStreams.legacyPeriod('2026-03'), 'PeriodClosed', {
      period: '2026-03',
    });
    await stored(ledgerStreams.legacyPeriod('2026-01'), 'PeriodClosed', { period: '2026-01' });
    const facts = createLedgerFacts({ eventStore: watched });
    let now = await facts.current();
    expect(await now.legacyLockedThrough()).toBe('2026-03');
    expect(await now.closedAt('2026-02')).toBe(march);
    expect(await now.closedAt('2026-04')).toBeUndefined();

    const reopenedAt = await reopenPeriod('2026-02');
    now = await facts.current();
    expect(await now.lock()).toEqual({ lockedThrough: '2026-01', setAt: reopenedAt });
    expect(await now.closedAt('2026-02')).toBeUndefined();
  });

  it('sees a close of a period it saw open, through the log', async () => {
    const facts = createLedgerFacts({ eventStore: watched });
    expect(await (await facts.current()).closedAt('2026-05')).toBeUndefined();
    const closedAt = await closePeriod('2026-05');
    expect(await (await facts.current()).closedAt('2026-05')).toBe(closedAt);
  });
});
