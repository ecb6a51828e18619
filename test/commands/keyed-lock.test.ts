import { describe, expect, it } from 'vitest';
import {
  createKeyedLock,
  type KeyedLock,
  type LockRequest,
  type Release,
} from '../../src/commands/keyed-lock.js';

/** Lets every pending promise reaction run (a macrotask runs after all queued microtasks). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface Attempt {
  readonly name: string;
  granted: boolean;
  release(): void;
}

/** Starts an acquisition and records, in `log`, the order in which acquisitions are granted. */
function attempt(lock: KeyedLock, name: string, requests: LockRequest[], log: string[]): Attempt {
  let release: Release | undefined;
  const state: Attempt = {
    name,
    granted: false,
    release() {
      if (release === undefined) throw new Error(`${name} released before it was granted`);
      release();
    },
  };
  void lock.acquire(requests).then((granted) => {
    release = granted;
    state.granted = true;
    log.push(name);
  });
  return state;
}

const shared = (key: string): LockRequest => ({ key, mode: 'shared' });
const exclusive = (key: string): LockRequest => ({ key, mode: 'exclusive' });

describe('keyed lock', () => {
  it('an exclusive holder excludes another exclusive request on the same key', async () => {
    const lock = createKeyedLock();
    const log: string[] = [];
    const first = attempt(lock, 'first', [exclusive('a')], log);
    const second = attempt(lock, 'second', [exclusive('a')], log);
    await settle();
    expect(log).toEqual(['first']);

    first.release();
    await settle();
    expect(log).toEqual(['first', 'second']);
    expect(second.granted).toBe(true);
  });

  it('an exclusive holder excludes shared requests, and shared holders exclude exclusive', async () => {
    const lock = createKeyedLock();
    const log: string[] = [];
    const writer = attempt(lock, 'writer', [exclusive('a')], log);
    const reader = attempt(lock, 'reader', [shared('a')], log);
    await settle();
    expect(log).toEqual(['writer']);

    writer.release();
    await settle();
    expect(log).toEqual(['writer', 'reader']);

    const writer2 = attempt(lock, 'writer2', [exclusive('a')], log);
    await settle();
    expect(writer2.granted).toBe(false);
    reader.release();
    await settle();
    expect(log).toEqual(['writer', 'reader', 'writer2']);
  });

  it('lets shared holders run together', async () => {
    const lock = createKeyedLock();
    const events: string[] = [];
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const task = async (name: string) => {
      const release = await lock.acquire([shared('a')]);
      events.push(`${name} in`);
      await done;
      events.push(`${name} out`);
      release();
    };
    const tasks = Promise.all([task('one'), task('two'), task('three')]);
    await settle();
    expect(events).toEqual(['one in', 'two in', 'three in']);
    finish();
    await tasks;
    expect(events.slice(3).sort()).toEqual(['one out', 'three out', 'two out']);
  });

  it('does not block requests on other keys', async () => {
    const lock = createKeyedLock();
    const log: string[] = [];
    attempt(lock, 'a', [exclusive('a')], log);
    attempt(lock, 'b', [exclusive('b')], log);
    attempt(lock, 'c', [shared('c')], log);
    await settle();
    expect(log).toEqual(['a', 'b', 'c']);
  });

  it('makes later shared requests wait behind a waiting exclusive one (FIFO)', async () => {
    const lock = createKeyedLock();
    const log: string[] = [];
    const reader1 = attempt(lock, 'reader1', [shared('a')], log);
    const writer = attempt(lock, 'writer', [exclusive('a')], log);
    const reader2 = attempt(lock, 'reader2', [shared('a')], log);
    await settle();
    // reader2 could share with reader1, but must not overtake the waiting writer.
    expect(log).toEqual(['reader1']);

    reader1.release();
    await settle();
    expect(log).toEqual(['reader1', 'writer']);

    writer.release();
    await settle();
    expect(log).toEqual(['reader1', 'writer', 'reader2']);
    expect(reader2.granted).toBe(true);
  });

  it('grants exclusive requests in arrival order', async () => {
    const lock = createKeyedLock();
    const log: string[] = [];
    const holders = ['w1', 'w2', 'w3', 'w4'].map((name) =>
      attempt(lock, name, [exclusive('a')], log),
    );
    for (const [index, holder] of holders.entries()) {
      await settle();
      expect(log).toEqual(['w1', 'w2', 'w3', 'w4'].slice(0, index + 1));
      holder.release();
    }
  });

  it('grants consecutive waiting shared requests together, up to the next exclusive', async () => {
    const lock = createKeyedLock();
    const log: string[] = [];
    const writer = attempt(lock, 'writer', [exclusive('a')], log);
    const readers = ['r1', 'r2'].map((name) => attempt(lock, name, [shared('a')], log));
    const writer2 = attempt(lock, 'writer2', [exclusive('a')], log);
    attempt(lock, 'r3', [shared('a')], log);
    await settle();
    expect(log).toEqual(['writer']);

    writer.release();
    await settle();
    expect(log).toEqual(['writer', 'r1', 'r2']);

    readers[0]?.release();
    await settle();
    expect(writer2.granted).toBe(false);
    readers[1]?.release();
    await settle();
    expect(log).toEqual(['writer', 'r1', 'r2', 'writer2']);
    writer2.release();
    await settle();
    expect(log).toEqual(['writer', 'r1', 'r2', 'writer2', 'r3']);
  });

  it('does not deadlock when two tasks take the same keys in opposite orders', async () => {
    const lock = createKeyedLock();
    const log: string[] = [];
    const events: string[] = [];
    const gates = new Map<string, () => void>();
    const task = async (name: string, requests: LockRequest[]) => {
      const release = await lock.acquire(requests);
      events.push(`${name} in`);
      await new Promise<void>((resolve) => gates.set(name, resolve));
      events.push(`${name} out`);
      release();
      log.push(name);
    };
    const first = task('ab', [exclusive('a'), exclusive('b')]);
    const second = task('ba', [exclusive('b'), exclusive('a')]);
    await settle();
    // Exactly one of them holds both keys; the other waits without holding either.
    expect(events).toHaveLength(1);
    const winner = events[0] === 'ab in' ? 'ab' : 'ba';
    const loser = winner === 'ab' ? 'ba' : 'ab';
    expect(events).toEqual([`${winner} in`]);

    gates.get(winner)?.();
    await settle();
    expect(events).toEqual([`${winner} in`, `${winner} out`, `${loser} in`]);
    gates.get(loser)?.();
    await Promise.all([first, second]);
    expect(log).toEqual([winner, loser]);
  });

  it('never deadlocks nor breaks exclusion under many overlapping multi-key requests', async () => {
    const lock = createKeyedLock();
    const keys = ['a', 'b', 'c', 'd', 'e'];
    let seed = 42;
    const random = (limit: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % limit;
    };

    const holders = new Map<string, { readers: number; writer: boolean }>(
      keys.map((key) => [key, { readers: 0, writer: false }]),
    );
    const tasks: { requests: LockRequest[]; attempt: Attempt; released: boolean }[] = [];
    const log: string[] = [];
    for (let index = 0; index < 60; index += 1) {
      const requests: LockRequest[] = [];
      const count = 1 + random(3);
      for (let n = 0; n < count; n += 1) {
        const key = keys[random(keys.length)] ?? 'a';
        requests.push(random(3) === 0 ? exclusive(key) : shared(key));
      }
      tasks.push({ requests, attempt: attempt(lock, `t${index}`, requests, log), released: false });
    }

    const effective = (requests: LockRequest[]) => {
      const modes = new Map<string, LockRequest['mode']>();
      for (const { key, mode } of requests) {
        if (modes.get(key) !== 'exclusive') modes.set(key, mode);
      }
      return modes;
    };
    const counted = new Set<string>();
    for (let round = 0; round < 1000; round += 1) {
      await settle();
      for (const task of tasks) {
        if (!task.attempt.granted || counted.has(task.attempt.name)) continue;
        counted.add(task.attempt.name);
        for (const [key, mode] of effective(task.requests)) {
          const holder = holders.get(key)!;
          expect(holder.writer, `${task.attempt.name} entered ${key} held exclusively`).toBe(false);
          if (mode === 'exclusive') {
            expect(holder.readers, `${task.attempt.name} took ${key} while shared`).toBe(0);
            holder.writer = true;
          } else {
            holder.readers += 1;
          }
        }
      }
      const running = tasks.filter((task) => task.attempt.granted && !task.released);
      if (running.length === 0) break;
      const task = running[random(running.length)]!;
      for (const [key, mode] of effective(task.requests)) {
        const holder = holders.get(key)!;
        if (mode === 'exclusive') holder.writer = false;
        else holder.readers -= 1;
      }
      task.released = true;
      task.attempt.release();
    }
    // Every request was granted: nothing is stuck waiting.
    expect(tasks.filter((task) => !task.attempt.granted).map((task) => task.attempt.name)).toEqual(
      [],
    );
    expect(log).toHaveLength(tasks.length);
  });

  it('makes a second release a no-op for shared holds', async () => {
    const lock = createKeyedLock();
    const log: string[] = [];
    const reader1 = attempt(lock, 'reader1', [shared('a')], log);
    const reader2 = attempt(lock, 'reader2', [shared('a')], log);
    await settle();
    reader1.release();
    reader1.release();
    const writer = attempt(lock, 'writer', [exclusive('a')], log);
    await settle();
    // reader2 still holds the key: a double release must not have counted it out.
    expect(writer.granted).toBe(false);
    reader2.release();
    await settle();
    expect(writer.granted).toBe(true);
  });

  it('makes a second release a no-op for exclusive holds', async () => {
    const lock = createKeyedLock();
    const log: string[] = [];
    const writer1 = attempt(lock, 'writer1', [exclusive('a')], log);
    const writer2 = attempt(lock, 'writer2', [exclusive('a')], log);
    await settle();
    writer1.release();
    await settle();
    expect(writer2.granted).toBe(true);
    writer1.release();
    const writer3 = attempt(lock, 'writer3', [exclusive('a')], log);
    await settle();
    expect(writer3.granted).toBe(false);
    writer2.release();
    await settle();
    expect(log).toEqual(['writer1', 'writer2', 'writer3']);
  });

  it('makes a second release of a multi-key hold a no-op', async () => {
    const lock = createKeyedLock();
    const log: string[] = [];
    const both = attempt(lock, 'both', [shared('a'), shared('b')], log);
    const other = attempt(lock, 'other', [shared('b')], log);
    await settle();
    both.release();
    both.release();
    const writer = attempt(lock, 'writer', [exclusive('b')], log);
    const writerA = attempt(lock, 'writerA', [exclusive('a')], log);
    await settle();
    expect(writer.granted).toBe(false);
    expect(writerA.granted).toBe(true);
    other.release();
    await settle();
    expect(writer.granted).toBe(true);
  });

  it.each([
    ['shared then exclusive', [shared('a'), exclusive('a')]],
    ['exclusive then shared', [exclusive('a'), shared('a')]],
    ['shared, exclusive, shared', [shared('a'), exclusive('a'), shared('a')]],
  ])('holds a key requested %s exclusively', async (_name, requests) => {
    const lock = createKeyedLock();
    const log: string[] = [];
    const holder = attempt(lock, 'holder', requests, log);
    await settle();
    expect(holder.granted).toBe(true);

    const reader = attempt(lock, 'reader', [shared('a')], log);
    await settle();
    expect(reader.granted).toBe(false);

    holder.release();
    await settle();
    expect(log).toEqual(['holder', 'reader']);
  });

  it('grants a key requested twice in shared mode once, so one release frees it', async () => {
    const lock = createKeyedLock();
    const log: string[] = [];
    const holder = attempt(lock, 'holder', [shared('a'), shared('a')], log);
    await settle();
    holder.release();
    attempt(lock, 'writer', [exclusive('a')], log);
    await settle();
    expect(log).toEqual(['holder', 'writer']);
  });

  it('grants an empty request at once', async () => {
    const lock = createKeyedLock();
    const release = await lock.acquire([]);
    expect(() => release()).not.toThrow();
  });
});
