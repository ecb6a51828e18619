/**
 * The log feed's back-pressure on writes (see `log-feed.ts`): how far behind the log its
 * members are, in time, and the wait a write makes while one that counts is too far behind.
 *
 * Members that count have caught up with the log since they joined and are not failed, paused
 * by an outage or retrying a batch: a rebuild from zero is far behind by design, and a broken or
 * unreachable read model must not stop the writes.
 */
import type { Member } from './feed-members.js';
import { createHeadTimeline } from './head-timeline.js';

export interface Admission {
  readonly waitedMs: number;
  /** It went ahead after the longest wait, still behind. */
  readonly timedOut: boolean;
}

export function createWriteAdmission(deps: {
  readonly members: () => Iterable<Member>;
  readonly now: () => number;
  readonly stopping: () => boolean;
}) {
  const timeline = createHeadTimeline({ now: deps.now });
  /** Admissions waiting for the feed to move. */
  const waiters = new Set<() => void>();

  function pacing(): Member[] {
    return [...deps.members()].filter(
      (member) =>
        member.caughtUp &&
        !member.removed &&
        member.failures === 0 &&
        member.state !== 'failed' &&
        member.state !== 'paused',
    );
  }

  function stalenessMs(): number {
    let worst = 0;
    for (const member of pacing()) {
      worst = Math.max(worst, timeline.stalenessMs(member.position ?? 0n));
    }
    return worst;
  }

  return {
    /** The head of the log is at least `position` now (an append, or a read of the head). */
    saw: (position: bigint) => timeline.saw(position),
    stalenessMs,
    /**
     * How long ago the first head after `position` was seen. Exact for a member that paces the
     * writes; for one further behind (a rebuild) the sightings before the slowest pacing
     * member's position are forgotten, so it reads low.
     */
    stalenessAt: (position: bigint) => timeline.stalenessMs(position),

    /** A batch was committed, a reaction finished or a member left: admissions look again. */
    progressed(): void {
      const positions = pacing().map((member) => member.position ?? 0n);
      if (positions.length > 0) {
        timeline.forgetUpTo(positions.reduce((low, position) => (position < low ? position : low)));
      }
      const woken = [...waiters];
      waiters.clear();
      for (const resume of woken) resume();
    },

    async admit(maxStalenessMs: number, maxWaitMs: number): Promise<Admission> {
      const started = performance.now();
      for (;;) {
        if (stalenessMs() <= maxStalenessMs) {
          return { waitedMs: performance.now() - started, timedOut: false };
        }
        const left = maxWaitMs - (performance.now() - started);
        if (left <= 0 || deps.stopping()) {
          return { waitedMs: performance.now() - started, timedOut: true };
        }
        await new Promise<void>((resolve) => {
          const resume = () => {
            clearTimeout(timer);
            waiters.delete(resume);
            resolve();
          };
          const timer = setTimeout(resume, left);
          waiters.add(resume);
        });
      }
    },
  };
}
