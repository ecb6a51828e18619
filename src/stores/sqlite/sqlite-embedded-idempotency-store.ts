/**
 * Idempotency records beside the embedded event store, at no transaction of their own: a
 * command with an Idempotency-Key costs the group commit of its append and nothing more.
 *
 * - A claim is in memory. One process owns the file (DATA_DIR is locked), so nobody else needs
 *   to see it: a claim looks at this process's running claims, then reads the durable record,
 *   and writes nothing.
 * - The claim's fingerprint is written in the very transaction that stores the command's
 *   events, as a marker (a pending row without a lease): the event store calls `write` after
 *   the appends of each group commit, and an append belongs to a claim by the `actor` and
 *   `idempotencyKey` of its first event's metadata (the HTTP layer claims with the caller's API
 *   key id as scope, which is also the command's actor).
 * - The answer cannot be in that transaction: it is rendered from what the append was given
 *   (position, revision) and after `verify`. It is written in the next group commit, among
 *   other requests' appends:
 *   - when this attempt stored events, the answer is given at once, before it is durable. Should
 *     the process die first, the retry finds the marker: with the same fingerprint it runs the
 *     command again, which finds its events by their key-derived ids and answers from them
 *     without writing (`CommandResult.replayed`; the claim says `replay`, so the answer is
 *     marked replayed as a stored one would be), and the same answer follows, since it is a
 *     function of the stored events (`verify` too: it judges the log before the command's
 *     position, which no later write changes); with another fingerprint it is a 422, as with a
 *     stored answer. If no append comes within `idleFlushMs`, the answers are committed alone.
 *   - without events (a refusal, a command that changed nothing), nothing could repeat the
 *     answer, so `complete` waits for the group commit that stores it, and other requests see
 *     it only from then on.
 *
 * Memory holds the claims of running requests and answers until their commit, nothing more.
 */
import type { Database } from 'better-sqlite3';
import type { EventToAppend } from '../event-store.js';
import type {
  IdempotencyKeyRef,
  IdempotencyRecord,
  IdempotencyStore,
  StoredResponse,
} from '../idempotency-store.js';
import type { CommitCompanion } from './sqlite-event-store.js';
import {
  openIdempotencyTable,
  SELECT_IDEMPOTENCY_ROW,
  toIdempotencyRecord,
  type IdempotencyRow,
} from './sqlite-idempotency-store.js';

export interface EmbeddedIdempotencyOptions {
  /**
   * How long answers backed by events wait for an append to ride with before they are
   * committed alone. Default 100 ms: under load an append always comes sooner.
   */
  readonly idleFlushMs?: number;
}

export interface EmbeddedIdempotency {
  /** For the event store on the same database (`SqliteEventStoreOptions.companion`). */
  readonly companion: CommitCompanion;
  /** Opened on first call: then stale claims of a dead process are dropped (see the table). */
  store(): IdempotencyStore;
}

interface Claim {
  readonly ref: IdempotencyKeyRef;
  readonly fingerprint: string;
  readonly claimedAt: string;
  leaseUntil: string;
  /** A group commit stored events of this claim's command (and its marker). */
  appended: boolean;
  answer?: {
    readonly json: string;
    /** For an answer without events behind it: `complete` waits for its commit. */
    readonly durable?: { resolve(): void; reject(error: unknown): void };
  };
}

const DEFAULT_IDLE_FLUSH_MS = 100;

export function createEmbeddedIdempotency(
  db: Database,
  options: EmbeddedIdempotencyOptions = {},
): EmbeddedIdempotency {
  const idleFlushMs = options.idleFlushMs ?? DEFAULT_IDLE_FLUSH_MS;
  const claims = new Map<string, Claim>();
  const idOf = (scope: string, key: string) => JSON.stringify([scope, key]);
  /** Answers for the next group commit, those in the one running, markers written in it. */
  let waiting: Claim[] = [];
  let writing: Claim[] = [];
  let marked: Claim[] = [];
  let requestCommit: (() => void) | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  let statements: ReturnType<typeof prepare> | undefined;
  let opened: IdempotencyStore | undefined;

  function prepare() {
    openIdempotencyTable(db, { keepMarkers: true });
    return {
      select: db.prepare<[string, string], IdempotencyRow>(SELECT_IDEMPOTENCY_ROW),
      marker: db.prepare<[string, string, string, string], never>(
        `INSERT INTO idempotency_keys (scope, key, fingerprint, state, lease_until, created_at)
         VALUES (?, ?, ?, 'pending', NULL, ?) ON CONFLICT (scope, key) DO NOTHING`,
      ),
      // The first answer stored stays (a claim taken over and its taker both answer).
      answer: db.prepare<[string, string, string, string, string], never>(
        `INSERT INTO idempotency_keys
           (scope, key, fingerprint, state, lease_until, response, created_at)
         VALUES (?, ?, ?, 'completed', NULL, ?, ?)
         ON CONFLICT (scope, key) DO UPDATE
           SET state = 'completed', lease_until = NULL, response = excluded.response
           WHERE idempotency_keys.state = 'pending'`,
      ),
    };
  }

  const companion: CommitCompanion = {
    write(appended: readonly (readonly EventToAppend[])[]) {
      if (!statements || claims.size === 0) return;
      for (const events of appended) {
        const metadata = events[0]?.metadata;
        const actor = metadata?.actor;
        const key = metadata?.idempotencyKey;
        if (typeof actor !== 'string' || typeof key !== 'string') continue;
        const claim = claims.get(idOf(actor, key));
        if (!claim || claim.appended || claim.answer) continue;
        statements.marker.run(actor, key, claim.fingerprint, claim.claimedAt);
        marked.push(claim);
      }
      for (const claim of waiting) {
        const { scope, key } = claim.ref;
        statements.answer.run(scope, key, claim.fingerprint, claim.answer!.json, claim.claimedAt);
      }
      writing = waiting;
      waiting = [];
    },

    settled(committed) {
      const [stored, markers] = [writing, marked];
      writing = [];
      marked = [];
      if (committed) for (const claim of markers) claim.appended = true;
      for (const claim of stored) {
        const durable = claim.answer?.durable;
        if (committed) {
          forget(claim);
          durable?.resolve();
        } else if (durable) {
          // Its caller fails (a 500) and the key is free again, as if it never ran.
          forget(claim);
          durable.reject(new Error('The answer could not be stored'));
        } else {
          // Its events are stored and it was answered: it waits for the next commit.
          waiting.push(claim);
        }
      }
      if (waiting.length > 0) armIdleFlush();
      else if (idleTimer) {
        clearTimeout(idleTimer);
        idleTimer = undefined;
      }
    },

    hasWrites: () => waiting.length > 0,

    bind(commit) {
      requestCommit = commit;
    },
  };

  function forget(claim: Claim): void {
    const id = idOf(claim.ref.scope, claim.ref.key);
    if (claims.get(id) === claim) claims.delete(id);
  }

  function armIdleFlush(): void {
    if (idleTimer) return;
    idleTimer = setTimeout(() => {
      idleTimer = undefined;
      try {
        requestCommit?.();
      } catch {
        // The event store is closed: these answers are lost with the process, as a crash
        // would lose them, and their markers still make a retry answer the same.
      }
    }, idleFlushMs);
    idleTimer.unref();
  }

  /** What others see of a claim: its answer once nothing can lose it, else that it runs. */
  function recordOf(claim: Claim): IdempotencyRecord {
    if (claim.answer && claim.appended) {
      return {
        state: 'completed',
        fingerprint: claim.fingerprint,
        response: JSON.parse(claim.answer.json) as StoredResponse,
      };
    }
    return { state: 'pending', fingerprint: claim.fingerprint, leaseUntil: claim.leaseUntil };
  }

  function open(): IdempotencyStore {
    const { select } = (statements = prepare());
    return {
      async claim(ref, fingerprint, leaseUntil, now) {
        const id = idOf(ref.scope, ref.key);
        const running = claims.get(id);
        if (running) {
          const expired =
            !running.answer &&
            running.fingerprint === fingerprint &&
            running.leaseUntil < now.toISOString();
          if (!expired) return { claimed: false, record: recordOf(running) };
          running.leaseUntil = leaseUntil.toISOString();
          return { claimed: true };
        }
        const row = select.get(ref.scope, ref.key);
        // A marker with this fingerprint: the command ran and its answer was lost with the
        // process; running it again answers from its stored events.
        if (row && (row.state === 'completed' || row.fingerprint !== fingerprint)) {
          return { claimed: false, record: toIdempotencyRecord(row) };
        }
        claims.set(id, {
          ref: { scope: ref.scope, key: ref.key },
          fingerprint,
          claimedAt: now.toISOString(),
          leaseUntil: leaseUntil.toISOString(),
          appended: false,
        });
        return row ? { claimed: true, replay: true } : { claimed: true };
      },

      async complete(ref, response: StoredResponse) {
        const claim = claims.get(idOf(ref.scope, ref.key));
        if (!claim || claim.answer) return;
        const json = JSON.stringify(response);
        if (claim.appended) {
          claim.answer = { json };
          waiting.push(claim);
          armIdleFlush();
          return;
        }
        if (!requestCommit) throw new Error('The embedded idempotency store has no event store');
        const commit = requestCommit;
        await new Promise<void>((resolve, reject) => {
          commit();
          claim.answer = { json, durable: { resolve, reject } };
          waiting.push(claim);
        });
      },

      async release(ref) {
        const id = idOf(ref.scope, ref.key);
        if (claims.get(id)?.answer === undefined) claims.delete(id);
      },

      async get(ref) {
        const claim = claims.get(idOf(ref.scope, ref.key));
        if (claim) return recordOf(claim);
        const row = select.get(ref.scope, ref.key);
        return row ? toIdempotencyRecord(row) : undefined;
      },
    };
  }

  return { companion, store: () => (opened ??= open()) };
}
