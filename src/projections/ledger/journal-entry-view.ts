import {
  ledgerEventSchemas,
  type LedgerEvent,
  type PostedLine,
} from '../../domain/ledger/events.js';
import type { JournalEntryState } from '../../domain/ledger/journal-entry.js';
import { decodeEventOf } from '../../domain/shared/event-schemas.js';
import type { RecordedEvent } from '../../stores/event-store.js';

/** How a journal entry reads to a caller: the same shape from a write's answer and a query. */
export type JournalLineView =
  | { readonly account: string; readonly debit: string; readonly currency: string }
  | { readonly account: string; readonly credit: string; readonly currency: string };

export interface JournalEntryView {
  readonly id: string;
  readonly date: string;
  readonly description: string;
  readonly status: 'posted' | 'reversed';
  readonly lines: readonly JournalLineView[];
  readonly reversal: { readonly date: string; readonly reason: string } | null;
  /** Stream revision of the entry's last event: its ETag. */
  readonly revision: number;
}

/** Folds one entry event into its view; the start of every entry is its posting. */
export function evolveJournalEntryView(
  view: JournalEntryView | undefined,
  event: LedgerEvent,
  revision: bigint,
): JournalEntryView | undefined {
  if (event.type === 'JournalEntryPosted') {
    return {
      id: event.data.entryId,
      date: event.data.date,
      description: event.data.description,
      status: 'posted',
      lines: event.data.lines.map(toLineView),
      reversal: null,
      revision: Number(revision),
    };
  }
  if (event.type === 'JournalEntryReversed' && view) {
    return {
      ...view,
      status: 'reversed',
      reversal: { date: event.data.date, reason: event.data.reason },
      revision: Number(revision),
    };
  }
  return view;
}

/** A journal entry as its stream tells it; undefined for a stream with no posting. */
export function journalEntryView(stream: readonly RecordedEvent[]): JournalEntryView | undefined {
  let view: JournalEntryView | undefined;
  for (const recorded of stream) {
    const event = decodeEventOf(ledgerEventSchemas, recorded);
    view = evolveJournalEntryView(view, event, recorded.revision);
  }
  return view;
}

/**
 * The entry's view from its state at stream revision `revision`: how a write answers without
 * reading the entry's stream again. Equals `journalEntryView` of the same events but for
 * `revision`, which there is that of the last posting or reversal.
 */
export function journalEntryViewOf(
  state: Exclude<JournalEntryState, { status: 'none' }>,
  revision: bigint,
): JournalEntryView {
  return {
    id: state.entryId,
    date: state.date,
    description: state.description,
    status: state.reversal ? 'reversed' : 'posted',
    lines: state.lines.map(toLineView),
    reversal: state.reversal,
    revision: Number(revision),
  };
}

export function toLineView(line: PostedLine): JournalLineView {
  return line.side === 'debit'
    ? { account: line.account, debit: line.amount, currency: line.currency }
    : { account: line.account, credit: line.amount, currency: line.currency };
}
