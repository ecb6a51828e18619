/**
 * When this instance first knew of each newer head of the log: from its own appends (the
 * moment a command's position came back) and from the feed's reads of the head (other
 * instances' writes). So "how stale is a member at position p" has an answer in time, the same
 * for every event store: the time since the instance first knew of an event after p.
 *
 * Positions are not event counts on every store (EventStoreDB's are byte offsets), which is why
 * the write back-pressure of the log feed is set in milliseconds rather than in events.
 */
export interface HeadTimeline {
  /** The head is at least `position` (now). */
  saw(position: bigint): void;
  /** Milliseconds since the oldest head after `position` was seen; 0 when none is. */
  stalenessMs(position: bigint): number;
  /** Nothing at or before `position` will be asked about any more. */
  forgetUpTo(position: bigint): void;
  readonly size: number;
}

interface Sighting {
  position: bigint;
  readonly seenAt: number;
}

export function createHeadTimeline(options: {
  readonly now: () => number;
  /** Sightings closer together than this are kept as one, dated by the earlier. */
  readonly resolutionMs?: number;
  /** Past this many, neighbours are merged (each pair dated by its earlier sighting). */
  readonly maxSightings?: number;
}): HeadTimeline {
  const resolutionMs = options.resolutionMs ?? 5;
  const maxSightings = options.maxSightings ?? 4096;
  // Ascending in position and in time; `first` is where the live part starts, so that
  // forgetting is not a shift per call.
  let sightings: Sighting[] = [];
  let first = 0;

  function compact(): void {
    const live = sightings.slice(first);
    const merged: Sighting[] = [];
    // Each pair keeps the earlier time and the further position: a member is then never
    // judged fresher than it is, only up to one pair's span staler.
    for (let i = 0; i < live.length; i += 2) {
      const next = live[i + 1];
      merged.push(next ? { position: next.position, seenAt: live[i]!.seenAt } : live[i]!);
    }
    sightings = merged;
    first = 0;
  }

  return {
    saw(position) {
      const now = options.now();
      const last = sightings.length > first ? sightings[sightings.length - 1] : undefined;
      if (last && position <= last.position) return;
      if (last && now - last.seenAt < resolutionMs) {
        last.position = position;
        return;
      }
      sightings.push({ position, seenAt: now });
      if (sightings.length - first > maxSightings) compact();
    },

    stalenessMs(position) {
      // The first sighting after `position`, by binary search over the live part.
      let low = first;
      let high = sightings.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (sightings[middle]!.position > position) high = middle;
        else low = middle + 1;
      }
      const oldest = sightings[low];
      return oldest ? Math.max(0, options.now() - oldest.seenAt) : 0;
    },

    forgetUpTo(position) {
      while (first < sightings.length && sightings[first]!.position <= position) first += 1;
      if (first > 1024 && first * 2 > sightings.length) {
        sightings = sightings.slice(first);
        first = 0;
      }
    },

    get size() {
      return sightings.length - first;
    },
  };
}
