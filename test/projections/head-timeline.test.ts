import { describe, expect, it } from 'vitest';
import { createHeadTimeline } from '../../src/projections/engine/head-timeline.js';

function timeline(options: { resolutionMs?: number; maxSightings?: number } = {}) {
  let now = 0;
  const heads = createHeadTimeline({ now: () => now, ...options });
  return {
    heads,
    at(ms: number) {
      now = ms;
      return heads;
    },
  };
}

describe('head timeline', () => {
  it('dates a position by the first head seen after it', () => {
    const { heads, at } = timeline();
    at(1_000).saw(10n);
    at(2_000).saw(20n);
    at(5_000);
    // Events 1-10 were known at 1 000 ms, 11-20 at 2 000 ms.
    expect(heads.stalenessMs(0n)).toBe(4_000);
    expect(heads.stalenessMs(9n)).toBe(4_000);
    expect(heads.stalenessMs(10n)).toBe(3_000);
    expect(heads.stalenessMs(19n)).toBe(3_000);
    expect(heads.stalenessMs(20n)).toBe(0);
    expect(heads.stalenessMs(25n)).toBe(0);
  });

  it('ignores a head it has already seen or passed', () => {
    const { heads, at } = timeline();
    at(1_000).saw(10n);
    at(2_000).saw(10n);
    at(3_000).saw(7n);
    expect(heads.size).toBe(1);
    expect(at(4_000).stalenessMs(5n)).toBe(3_000);
  });

  it('keeps heads seen within its resolution as one, dated by the earlier', () => {
    const { heads, at } = timeline({ resolutionMs: 5 });
    at(100).saw(1n);
    at(102).saw(2n);
    at(104).saw(3n);
    at(110).saw(4n);
    expect(heads.size).toBe(2);
    at(200);
    expect(heads.stalenessMs(2n)).toBe(100);
    expect(heads.stalenessMs(3n)).toBe(90);
  });

  it('forgets what every member has passed', () => {
    const { heads, at } = timeline();
    for (let i = 1; i <= 10; i += 1) at(i * 100).saw(BigInt(i));
    heads.forgetUpTo(6n);
    expect(heads.size).toBe(4);
    expect(at(2_000).stalenessMs(6n)).toBe(1_300);
    heads.forgetUpTo(10n);
    expect(heads.size).toBe(0);
    expect(heads.stalenessMs(0n)).toBe(0);
  });

  it('when full, merges neighbours so that no position looks fresher than it is', () => {
    const { heads, at } = timeline({ resolutionMs: 0, maxSightings: 8 });
    const seenAt = new Map<bigint, number>();
    for (let i = 1; i <= 50; i += 1) {
      at(i * 10).saw(BigInt(i));
      seenAt.set(BigInt(i), i * 10);
    }
    expect(heads.size).toBeLessThanOrEqual(8);
    at(1_000);
    for (let position = 0n; position < 50n; position += 1n) {
      const exact = 1_000 - seenAt.get(position + 1n)!;
      expect(heads.stalenessMs(position)).toBeGreaterThanOrEqual(exact);
    }
    expect(heads.stalenessMs(50n)).toBe(0);
  });
});
