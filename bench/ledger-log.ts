/**
 * A synthetic ledger log written straight through the SQLite event store port, for the
 * benchmarks that build read models from a log of a given length: 20 `AccountOpened`, then
 * journal entries with 2 to 4 EUR lines dated over two years, 5% of them reversed some 50
 * postings later. Events are what the command pipeline would store, metadata and hash chain
 * included, so rows are their real size. The log is generated as it is appended, so a million
 * events do not sit in memory at once; the same seed gives the same log.
 */
import { randomUUID } from 'node:crypto';
import { GENESIS_HASH, eventHash } from '../src/commands/hash-chain.js';
import { SCHEMA_VERSION } from '../src/commands/seal-event.js';
import type { AccountType, LedgerEvent, PostedLine } from '../src/domain/ledger/events.js';
import { ledgerStreams } from '../src/domain/ledger/streams.js';
import type { EventStore, ExpectedRevision } from '../src/stores/event-store.js';
import { mulberry32 } from './bench-support.js';

export const ACCOUNT_COUNT = 20;
const REVERSED_SHARE = 0.05;
/** One-event appends queued in one turn of the event loop: group commit makes them one commit. */
const SEED_BATCH = 1000;

interface Append {
  readonly streamId: string;
  readonly expected: ExpectedRevision;
  readonly event: LedgerEvent;
  /** Nothing more is appended to the stream: its tip hash can be forgotten. */
  readonly last: boolean;
}

export interface SeededLog {
  readonly byType: Map<string, number>;
  readonly lines: number;
}

/** Appends `total` ledger events (accounts, postings and reversals) to `store`. */
export async function seedLedgerLog(store: EventStore, total: number): Promise<SeededLog> {
  if (total < ACCOUNT_COUNT + 3) throw new Error(`Need at least ${ACCOUNT_COUNT + 3} events`);
  const recordedAt = new Date().toISOString();
  const lastHash = new Map<string, string>();
  const byType = new Map<string, number>();
  let lines = 0;
  let batch: Promise<unknown>[] = [];
  for (const append of ledgerLog(total)) {
    const id = randomUUID();
    const metadata: Record<string, unknown> = {
      actor: 'bench',
      correlationId: id,
      causationId: id,
      requestId: id,
      occurredAt: recordedAt,
      recordedAt,
      schemaVersion: SCHEMA_VERSION,
      prevHash: lastHash.get(append.streamId) ?? GENESIS_HASH,
    };
    const data = append.event.data as unknown as Record<string, unknown>;
    metadata.hash = eventHash({ id, type: append.event.type, data, metadata });
    if (append.last) lastHash.delete(append.streamId);
    else lastHash.set(append.streamId, metadata.hash as string);
    byType.set(append.event.type, (byType.get(append.event.type) ?? 0) + 1);
    if ('lines' in append.event.data) lines += append.event.data.lines.length;
    batch.push(
      store.append(append.streamId, [{ id, type: append.event.type, data, metadata }], {
        expectedRevision: append.expected,
      }),
    );
    if (batch.length === SEED_BATCH) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
  return { byType, lines };
}

/** The log, in append order. */
function* ledgerLog(total: number): Generator<Append> {
  const random = mulberry32(20261123);
  const pick = (n: number): number => Math.floor(random() * n);
  const types: AccountType[] = ['asset', 'liability', 'equity', 'revenue', 'expense'];
  const accounts = Array.from({ length: ACCOUNT_COUNT }, (_, i) => ({
    code: String(1000 + i * 100),
    type: types[i % types.length]!,
  }));
  for (const { code, type } of accounts) {
    yield {
      streamId: ledgerStreams.account(code),
      expected: 'no_stream',
      event: {
        type: 'AccountOpened',
        data: { code, name: `Account ${code}`, type, currency: 'EUR' },
      },
      last: true,
    };
  }

  const postings = Math.ceil((total - ACCOUNT_COUNT) / (1 + REVERSED_SHARE));
  const reversals = total - ACCOUNT_COUNT - postings;
  // Entry j is reversed (evenly spread) some 50 postings after its own, so reversals are
  // scattered through the log rather than bunched at its end.
  const reversedAfter = new Map<number, number[]>();
  const reversed = new Set<number>();
  for (let k = 0; k < reversals; k += 1) {
    const entry = Math.floor((k * postings) / reversals);
    const after = Math.min(postings - 1, entry + 50);
    reversedAfter.set(after, [...(reversedAfter.get(after) ?? []), entry]);
    reversed.add(entry);
  }
  // Only the entries still to be reversed are kept.
  const pending = new Map<number, { entryId: string; date: string; lines: PostedLine[] }>();
  const start = Date.UTC(2025, 0, 1);
  const days = 730;
  for (let i = 0; i < postings; i += 1) {
    const entryId = `bench-${String(i).padStart(7, '0')}`;
    // Dates rise with the log, with some jitter, over two years.
    const day = Math.min(days - 1, Math.floor((i / postings) * days) + pick(5));
    const date = isoDate(start, day);
    const lines = journalLines(accounts, random);
    if (reversed.has(i)) pending.set(i, { entryId, date, lines });
    yield {
      streamId: ledgerStreams.journalEntry(entryId),
      expected: 'no_stream',
      event: {
        type: 'JournalEntryPosted',
        data: { entryId, date, description: `Benchmark entry ${i}`, lines },
      },
      last: !reversed.has(i),
    };
    for (const j of reversedAfter.get(i) ?? []) {
      const original = pending.get(j)!;
      pending.delete(j);
      const mirrored = original.lines.map((line): PostedLine => ({
        ...line,
        side: line.side === 'debit' ? 'credit' : 'debit',
      }));
      yield {
        streamId: ledgerStreams.journalEntry(original.entryId),
        expected: 0n,
        event: {
          type: 'JournalEntryReversed',
          data: {
            entryId: original.entryId,
            date: isoDate(Date.parse(original.date), pick(30)),
            reason: 'Benchmark reversal',
            lines: mirrored,
          },
        },
        last: true,
      };
    }
  }
}

/** 2-4 balanced EUR lines on distinct accounts, debits first. */
function journalLines(
  accounts: readonly { readonly code: string }[],
  random: () => number,
): PostedLine[] {
  const count = 2 + Math.floor(random() * 3);
  const codes = new Set<string>();
  while (codes.size < count) codes.add(accounts[Math.floor(random() * accounts.length)]!.code);
  const [first, ...rest] = [...codes];
  const debits = count === 4 ? 2 : 1;
  const credits = count - debits;
  // Cents, at least one per line.
  const totalMinor = credits + debits + Math.floor(random() * 500_000);
  const split = (parts: number): number[] => {
    const amounts: number[] = [];
    let left = totalMinor;
    for (let i = parts; i > 1; i -= 1) {
      const amount = 1 + Math.floor(random() * (left - i));
      amounts.push(amount);
      left -= amount;
    }
    amounts.push(left);
    return amounts;
  };
  const ordered = [first!, ...rest];
  const sides = [
    ...split(debits).map((minor) => ({ side: 'debit' as const, minor })),
    ...split(credits).map((minor) => ({ side: 'credit' as const, minor })),
  ];
  return sides.map(({ side, minor }, i) => ({
    account: ordered[i]!,
    side,
    amount: (minor / 100).toFixed(2),
    currency: 'EUR',
  }));
}

function isoDate(fromMs: number, days: number): string {
  return new Date(fromMs + days * 86_400_000).toISOString().slice(0, 10);
}
