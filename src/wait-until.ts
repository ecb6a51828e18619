/**
 * Polls `condition` until it holds or `timeoutMs` passes; true if it held. Backs off from 5 ms
 * to 100 ms, so a short wait answers fast and a long one costs little.
 */
export async function waitUntil(
  condition: () => Promise<boolean>,
  options: { readonly timeoutMs: number },
): Promise<boolean> {
  // Real elapsed time on purpose: an injected business clock may stand still in tests.
  const now = () => performance.now();
  const deadline = now() + options.timeoutMs;
  for (let delay = 5; ; delay = Math.min(100, delay * 2)) {
    if (await condition()) return true;
    if (now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/**
 * Lets timers and I/O run. The embedded stores answer synchronously, so a loop of awaited store
 * calls never leaves the microtask queue on its own: without this, a long catch-up or
 * verification would hold every HTTP request until it ends.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
