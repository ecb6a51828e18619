/**
 * Pings a remote store on a timer and reports each change between reachable and unreachable,
 * so an outage and the recovery after it show in the logs even when no request comes in.
 */
export interface AvailabilityMonitorOptions {
  readonly ping: () => Promise<void>;
  readonly intervalMs: number;
  readonly onUnavailable: (error: unknown) => void;
  readonly onAvailableAgain: (downForMs: number) => void;
  readonly now?: () => number;
}

export interface AvailabilityMonitor {
  stop(): void;
}

export function monitorAvailability(options: AvailabilityMonitorOptions): AvailabilityMonitor {
  const now = options.now ?? Date.now;
  let downSince: number | undefined;
  let checking = false;

  async function check(): Promise<void> {
    // A ping slower than the interval must not pile up behind itself.
    if (checking) return;
    checking = true;
    try {
      await options.ping();
      if (downSince !== undefined) {
        const downForMs = now() - downSince;
        downSince = undefined;
        options.onAvailableAgain(downForMs);
      }
    } catch (error) {
      if (downSince === undefined) {
        downSince = now();
        options.onUnavailable(error);
      }
    } finally {
      checking = false;
    }
  }

  const timer = setInterval(() => void check(), options.intervalMs);
  // The monitor never keeps the process alive on its own.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
