import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { monitorAvailability } from '../../src/stores/availability-monitor.js';

describe('monitorAvailability', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setUp() {
    let reachable = true;
    const changes: string[] = [];
    const monitor = monitorAvailability({
      ping: async () => {
        if (!reachable) throw new Error('connection refused');
      },
      intervalMs: 100,
      onUnavailable: (error) => changes.push(`down: ${(error as Error).message}`),
      onAvailableAgain: (downForMs) => changes.push(`up after ${downForMs} ms`),
      now: () => Date.now(),
    });
    return { monitor, changes, setReachable: (value: boolean) => (reachable = value) };
  }

  it('says nothing while the store stays reachable', async () => {
    const { monitor, changes } = setUp();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(changes).toEqual([]);
    monitor.stop();
  });

  it('reports an outage once, and the recovery once with how long it lasted', async () => {
    const { monitor, changes, setReachable } = setUp();
    await vi.advanceTimersByTimeAsync(100);
    setReachable(false);
    await vi.advanceTimersByTimeAsync(500);
    setReachable(true);
    await vi.advanceTimersByTimeAsync(300);
    expect(changes).toEqual(['down: connection refused', 'up after 500 ms']);
    monitor.stop();
  });

  it('stops pinging once stopped', async () => {
    const { monitor, changes, setReachable } = setUp();
    monitor.stop();
    setReachable(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(changes).toEqual([]);
  });
});
