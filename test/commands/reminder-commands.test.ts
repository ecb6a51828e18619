/**
 * Reminder runs at the command level. Two instances over one event store, each with its own
 * locks, state cache and candidate index, as two processes have: nothing but the expected
 * revision of the append keeps them from issuing a level twice. Instance B's appends are held
 * until instance A's run has stored its reminders, so B decides on a stale state and must lose
 * every append. And what a run leaves in its candidate index: a retried run (same key) replays
 * what it stored without forgetting its invoices; an invoice at its last level is not read again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandHandler, type CommandHandler } from '../../src/commands/command-handler.js';
import { uuidGenerator } from '../../src/commands/ids.js';
import { createKeyedLock } from '../../src/commands/keyed-lock.js';
import { cachedStateReader } from '../../src/commands/read-state.js';
import { createReminderCandidates } from '../../src/commands/reminders/reminder-candidates.js';
import {
  createReminderCommands,
  type ReminderCommands,
} from '../../src/commands/reminders/reminder-commands.js';
import { createStateCache } from '../../src/commands/state-cache.js';
import type { EventStore } from '../../src/stores/event-store.js';
import { openSqliteDatabase, type SqliteDatabase } from '../../src/stores/sqlite/database.js';
import { createSqliteEventStore } from '../../src/stores/sqlite/sqlite-event-store.js';

const context = { actor: 'test', correlationId: 'c', causationId: 'c', requestId: 'r' };
const fixedClock = () => new Date('2026-12-31T10:00:00Z');

let db: SqliteDatabase;
let store: EventStore;

beforeEach(() => {
  db = openSqliteDatabase(':memory:');
  store = createSqliteEventStore(db);
});
afterEach(async () => {
  await store.close();
  db.close();
});

function instance(eventStore: EventStore): ReminderCommands {
  const stateCache = createStateCache({ eventStore });
  const handle: CommandHandler = createCommandHandler({
    eventStore,
    clock: fixedClock,
    ids: uuidGenerator,
    locks: createKeyedLock(),
    maxAttempts: 5,
    stateCache,
  });
  return createReminderCommands({
    handle,
    readState: cachedStateReader(stateCache),
    candidates: createReminderCandidates(eventStore),
    levels: [7, 21, 45],
  });
}

/** Holds appends to reminder streams until released. */
function heldAppends(inner: EventStore) {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let waiting = 0;
  const store: EventStore = {
    ...inner,
    async append(streamId, events, options) {
      if (streamId.startsWith('paymentReminders-')) {
        waiting += 1;
        await released;
      }
      return inner.append(streamId, events, options);
    },
  };
  return { store, release, waiting: () => waiting };
}

async function issueInvoice(invoiceId: string, total: string) {
  await store.append(
    `invoice-${invoiceId}`,
    [
      {
        id: uuidGenerator.random(),
        type: 'InvoiceIssued',
        data: {
          invoiceId,
          customerId: 'ACME',
          issueDate: '2026-10-01',
          dueDate: '2026-10-31',
          currency: 'EUR',
          lines: [
            {
              description: 'Work',
              quantity: '1',
              unitPrice: total,
              amount: total,
              revenueAccount: '40000',
            },
          ],
          total,
        },
        metadata: {},
      },
    ],
    { expectedRevision: 'no_stream' },
  );
}

async function issuedLevels(): Promise<string[]> {
  const events = await store.readAll({ filter: { eventTypes: ['PaymentReminderIssued'] } });
  return events.map((event) => String(event.data.reminderId)).sort();
}

describe('reminder runs', () => {
  it('issue each level once across two instances when the loser decided on a stale state', async () => {
    for (const id of ['INV-1', 'INV-2', 'INV-3']) await issueInvoice(id, '10.00');
    const a = instance(store);
    const held = heldAppends(store);
    const b = instance(held.store);

    const losing = b.run(context, { asOf: '2026-11-21', today: '2026-12-31' });
    // B has decided its first reminder and waits to append it; A runs through meanwhile.
    while (held.waiting() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const won = await a.run(context, { asOf: '2026-11-21', today: '2026-12-31' });
    held.release();
    const lost = await losing;

    expect(won.issued).toBe(3);
    expect(lost.issued).toBe(0);
    expect(lost.examined).toBe(3);
    expect(await issuedLevels()).toEqual(['INV-1.R2', 'INV-2.R2', 'INV-3.R2']);
    // B's answer still covers what A wrote: reading at its position shows A's reminders.
    expect(lost.position).toBe(won.position);
  });

  it('replay a retried run from what it stored, and remind its invoices later on', async () => {
    await issueInvoice('INV-1', '10.00');
    const a = instance(store);
    const keyed = { ...context, idempotencyKey: 'run-2026-11-07' };
    const first = await a.run(keyed, { asOf: '2026-11-07', today: '2026-12-31' });
    // The same key again, as after a crash before the answer: the stored reminder is the answer.
    const retried = await a.run(keyed, { asOf: '2026-11-07', today: '2026-12-31' });
    expect(retried).toEqual(first);
    expect(retried.issued).toBe(1);
    const later = await a.run(context, { asOf: '2026-11-21', today: '2026-12-31' });
    expect(later.reminders.map((reminder) => reminder.reminderId)).toEqual(['INV-1.R2']);
    expect(await issuedLevels()).toEqual(['INV-1.R1', 'INV-1.R2']);
  });

  it('leave out of later runs the invoices at their last level', async () => {
    await issueInvoice('INV-1', '10.00');
    const reads: string[] = [];
    const counting: EventStore = {
      ...store,
      readStream(streamId, options) {
        reads.push(streamId);
        return store.readStream(streamId, options);
      },
    };
    const a = instance(counting);
    expect((await a.run(context, { asOf: '2026-12-20', today: '2026-12-31' })).issued).toBe(1);
    reads.length = 0;
    const later = await a.run(context, { asOf: '2026-12-31', today: '2026-12-31' });
    expect(later).toMatchObject({ examined: 0, issued: 0 });
    expect(reads).toEqual([]);
  });
});
