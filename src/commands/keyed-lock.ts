/**
 * Per-key read/write locks inside one process. Commands that must not interleave with a rule
 * change elsewhere (a posting and the close of its period) take the same key: postings share it,
 * the close takes it alone. Keys are taken in sorted order, so two commands can never deadlock.
 */
export interface LockRequest {
  readonly key: string;
  readonly mode: 'shared' | 'exclusive';
}

export type Release = () => void;

export interface KeyedLock {
  acquire(requests: readonly LockRequest[]): Promise<Release>;
}

interface KeyState {
  readers: number;
  writer: boolean;
  queue: { mode: LockRequest['mode']; grant: () => void }[];
}

export function createKeyedLock(): KeyedLock {
  const keys = new Map<string, KeyState>();

  function canGrant(state: KeyState, mode: LockRequest['mode']): boolean {
    // FIFO: a waiting writer blocks later readers, so a close cannot starve under postings.
    if (state.queue.length > 0) return false;
    return mode === 'shared' ? !state.writer : !state.writer && state.readers === 0;
  }

  function take(state: KeyState, mode: LockRequest['mode']): void {
    if (mode === 'shared') state.readers += 1;
    else state.writer = true;
  }

  function drain(key: string, state: KeyState): void {
    while (state.queue.length > 0) {
      const next = state.queue[0]!;
      const free = next.mode === 'shared' ? !state.writer : !state.writer && state.readers === 0;
      if (!free) break;
      state.queue.shift();
      take(state, next.mode);
      next.grant();
    }
    if (!state.writer && state.readers === 0 && state.queue.length === 0) keys.delete(key);
  }

  async function acquireOne({ key, mode }: LockRequest): Promise<Release> {
    let state = keys.get(key);
    if (!state) {
      state = { readers: 0, writer: false, queue: [] };
      keys.set(key, state);
    }
    const held = state;
    if (canGrant(held, mode)) take(held, mode);
    else await new Promise<void>((grant) => held.queue.push({ mode, grant }));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (mode === 'shared') held.readers -= 1;
      else held.writer = false;
      drain(key, held);
    };
  }

  return {
    async acquire(requests) {
      const strongest = new Map<string, LockRequest>();
      for (const request of requests) {
        if (strongest.get(request.key)?.mode !== 'exclusive') strongest.set(request.key, request);
      }
      const ordered = [...strongest.values()].sort((a, b) =>
        a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
      );
      const releases: Release[] = [];
      for (const request of ordered) releases.push(await acquireOne(request));
      return () => {
        for (const release of releases.reverse()) release();
      };
    },
  };
}
