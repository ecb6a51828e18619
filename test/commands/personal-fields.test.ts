import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CommandContext } from '../../src/commands/command-context.js';
import { createCommandHandler, type CommandSpec } from '../../src/commands/command-handler.js';
import { eventHash } from '../../src/commands/hash-chain.js';
import { uuidGenerator } from '../../src/commands/ids.js';
import { createKeyedLock } from '../../src/commands/keyed-lock.js';
import {
  createPersonalDataCodec,
  openingStreamReads,
  openSealedValues,
  type PersonalDataCodec,
} from '../../src/commands/personal-data/personal-fields.js';
import {
  createPersonalDataVault,
  isSealedValue,
  type PersonalDataVault,
} from '../../src/commands/personal-data/vault.js';
import { createStateCache } from '../../src/commands/state-cache.js';
import type { Decider } from '../../src/domain/shared/decider.js';
import type { EventStore, RecordedEvent } from '../../src/stores/event-store.js';
import { openSqliteDatabase, type SqliteDatabase } from '../../src/stores/sqlite/database.js';
import { createSqliteEventStore } from '../../src/stores/sqlite/sqlite-event-store.js';
import { createSqliteKeyStore } from '../../src/stores/sqlite/sqlite-key-store.js';

/** A person with a name, an email and a nested address, all personal, and a plain department. */
const schemas = {
  PersonAdded: z.strictObject({
    personId: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable().optional(),
    department: z.string(),
  }),
  PersonMoved: z.strictObject({
    personId: z.string(),
    changes: z.strictObject({ address: z.unknown().optional(), department: z.string().optional() }),
  }),
};
const declarations = {
  PersonAdded: {
    subject: (data: Readonly<Record<string, unknown>>) => `person-${String(data.personId)}`,
    fields: ['name', 'email'],
  },
  PersonMoved: {
    subject: (data: Readonly<Record<string, unknown>>) => `person-${String(data.personId)}`,
    fields: ['changes.address'],
  },
};

type PersonEvent =
  | { type: 'PersonAdded'; data: z.infer<(typeof schemas)['PersonAdded']> }
  | { type: 'PersonMoved'; data: z.infer<(typeof schemas)['PersonMoved']> };
type PersonCommand = { type: 'Record'; events: PersonEvent[] };
interface PersonState {
  readonly name?: string | null;
  readonly address?: unknown;
}
const decider: Decider<PersonState, PersonCommand, PersonEvent> = {
  initialState: {},
  evolve: (state, event) =>
    event.type === 'PersonAdded'
      ? { ...state, name: event.data.name }
      : { ...state, address: event.data.changes.address },
  decide: (command) => command.events,
};

const context: CommandContext = {
  actor: 'tester',
  correlationId: 'corr-1',
  causationId: 'req-1',
  requestId: 'req-1',
};

const opened: SqliteDatabase[] = [];
let vault: PersonalDataVault;
let codec: PersonalDataCodec;
let eventStore: EventStore;
let eventsDb: SqliteDatabase;

beforeEach(() => {
  const keysDb = openSqliteDatabase(':memory:');
  eventsDb = openSqliteDatabase(':memory:');
  opened.push(keysDb, eventsDb);
  vault = createPersonalDataVault({
    keys: createSqliteKeyStore(keysDb),
    masterKey: new Uint8Array(randomBytes(32)),
    clock: () => new Date('2026-12-01T10:00:00Z'),
  });
  codec = createPersonalDataCodec(vault, declarations);
  eventStore = createSqliteEventStore(eventsDb);
});
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

function recorded(type: string, data: Record<string, unknown>): RecordedEvent {
  return {
    id: randomUUID(),
    type,
    streamId: 'person-P1',
    revision: 0n,
    position: 1n,
    data: data as RecordedEvent['data'],
    metadata: {},
    recordedAt: '2026-12-01T10:00:00.000Z',
  };
}

describe('personal fields', () => {
  it('seals exactly the declared fields that are present, nested ones included', async () => {
    const data = await codec.seal({
      id: 'event-1',
      type: 'PersonAdded',
      data: { personId: 'P1', name: 'Ada Lovelace', department: 'Analytics' },
    });
    expect(isSealedValue(data.name)).toBe(true);
    expect(data).toMatchObject({ personId: 'P1', department: 'Analytics' });
    expect('email' in data).toBe(false);
    expect(data.name).toMatchObject({ subject: 'person-P1', event: 'event-1', field: 'name' });

    const moved = await codec.seal({
      id: 'event-2',
      type: 'PersonMoved',
      data: { personId: 'P1', changes: { address: { city: 'London' }, department: 'Ops' } },
    });
    const changes = moved.changes as Record<string, unknown>;
    expect(isSealedValue(changes.address)).toBe(true);
    expect(changes.department).toBe('Ops');
    expect(JSON.stringify(moved)).not.toContain('London');
  });

  it('leaves events of undeclared types as they are', async () => {
    const data = { account: '1000' };
    expect(await codec.seal({ id: 'e', type: 'AccountOpened', data })).toBe(data);
  });

  it('opens sealed fields, reads plain ones as stored, and reads erased ones as null', async () => {
    const sealed = await codec.seal({
      id: 'event-1',
      type: 'PersonAdded',
      data: { personId: 'P1', name: 'Ada Lovelace', email: 'ada@example.com', department: 'A' },
    });
    const legacy = recorded('PersonAdded', {
      personId: 'P2',
      name: 'Plain Text',
      department: 'B',
    });
    const [first, second] = await codec.open([recorded('PersonAdded', sealed), legacy]);
    expect(first!.data).toEqual({
      personId: 'P1',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      department: 'A',
    });
    expect(second).toBe(legacy);

    await vault.erase('person-P1');
    const [erased] = await codec.open([recorded('PersonAdded', sealed)]);
    expect(erased!.data).toEqual({ personId: 'P1', name: null, email: null, department: 'A' });
  });

  it('opens every sealed value inside a document for a query', async () => {
    const data = await codec.seal({
      id: 'event-1',
      type: 'PersonAdded',
      data: { personId: 'P1', name: 'Ada Lovelace', department: 'A' },
    });
    const document = { person: data, history: [{ name: data.name }], count: 3 };
    expect(await openSealedValues(vault, document)).toEqual({
      person: { personId: 'P1', name: 'Ada Lovelace', department: 'A' },
      history: [{ name: 'Ada Lovelace' }],
      count: 3,
    });
  });
});

describe('the command pipeline with personal fields', () => {
  function handler() {
    const reads = openingStreamReads(eventStore, codec);
    return createCommandHandler({
      eventStore: reads,
      clock: () => new Date('2026-12-01T10:00:00Z'),
      ids: uuidGenerator,
      locks: createKeyedLock(),
      maxAttempts: 3,
      stateCache: createStateCache({ eventStore: reads }),
      personalData: codec,
    });
  }
  const spec = (events: PersonEvent[]): CommandSpec<PersonState, PersonCommand, PersonEvent> => ({
    streamId: 'person-P1',
    decider,
    schemas,
    command: { type: 'Record', events },
  });

  it('stores only sealed values, hashed as stored, and folds the plain ones', async () => {
    const handle = handler();
    const result = await handle(
      context,
      spec([
        {
          type: 'PersonAdded',
          data: {
            personId: 'P1',
            name: 'Grace Hopper',
            email: 'grace@example.com',
            department: 'N',
          },
        },
        { type: 'PersonMoved', data: { personId: 'P1', changes: { address: 'Arlington, VA' } } },
      ]),
    );
    expect(result.state).toEqual({ name: 'Grace Hopper', address: 'Arlington, VA' });
    expect(result.events[0]!.data.name).toBe('Grace Hopper');

    const stored = await eventStore.readStream('person-P1');
    const raw = JSON.stringify(stored.map((event) => event.data));
    for (const secret of ['Grace Hopper', 'grace@example.com', 'Arlington']) {
      expect(raw).not.toContain(secret);
    }
    const rows = eventsDb.prepare('SELECT data FROM events').all() as { data: string }[];
    expect(rows.map((row) => row.data).join('\n')).not.toContain('Grace');
    for (const event of stored) {
      const { hash, ...rest } = event.metadata;
      expect(eventHash({ id: event.id, type: event.type, data: event.data, metadata: rest })).toBe(
        hash,
      );
    }

    // A later command folds the stream back with the values opened, and after an erasure as null.
    await vault.erase('person-P1');
    const fresh = handler();
    const after = await fresh(
      context,
      spec([{ type: 'PersonMoved', data: { personId: 'P1', changes: {} } }]),
    );
    expect(after.state).toEqual({ name: null, address: undefined });
  });
});
