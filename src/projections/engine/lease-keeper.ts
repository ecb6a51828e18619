/**
 * Holds the leases that say which instance runs a projection or a reactor. A held lease is
 * renewed a third of the way through its life rather than at every look, so a busy instance
 * costs the lease store little; losing one is noticed at the next renewal.
 */
import type { LeaseStore } from '../../stores/lease-store.js';

export interface LeaseKeeper {
  /** Takes or renews the lease when due; true while this instance holds it. */
  hold(name: string): Promise<boolean>;
  /** Whether it was held at the last look (no store call). */
  holds(name: string): boolean;
  /** Gives it up, if held; never throws (an unreachable store lets it expire instead). */
  release(name: string): Promise<void>;
}

export function createLeaseKeeper(deps: {
  readonly leases: LeaseStore;
  /** Names this process in the leases. */
  readonly holder: string;
  readonly ttlMs: number;
  readonly clock: () => Date;
}): LeaseKeeper {
  const renewedAt = new Map<string, number>();
  return {
    async hold(name) {
      const now = deps.clock().getTime();
      const renewed = renewedAt.get(name);
      if (renewed !== undefined && now - renewed < deps.ttlMs / 3) return true;
      const held = await deps.leases.acquire({
        name,
        holder: deps.holder,
        ttlMs: deps.ttlMs,
        now: new Date(now),
      });
      if (held) renewedAt.set(name, now);
      else renewedAt.delete(name);
      return held;
    },
    holds: (name) => renewedAt.has(name),
    async release(name) {
      if (!renewedAt.delete(name)) return;
      await deps.leases.release(name, deps.holder).catch(() => undefined);
    },
  };
}
