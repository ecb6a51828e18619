import { describe, expect, it } from 'vitest';
import {
  dueForDrop,
  emptyRegistry,
  liveCollection,
  planBuild,
  planRebuildRequest,
  planSwitch,
  withoutDropped,
  type RegistryBody,
} from '../../src/projections/engine/generation-planner.js';

const NOW = '2026-12-01T10:00:00.000Z';
const LATER = '2026-12-01T10:05:00.000Z';
const v1 = { name: 'balances', version: 1, buildFailed: false };
const v2 = { ...v1, version: 2 };

/** The registry after a first build of version 1 has caught up and been switched to. */
function servingV1(): RegistryBody {
  const building = planBuild(undefined, v1, 10n, NOW)!;
  return planSwitch(building, 'balances_v1_1', NOW)!;
}

describe('generation planner', () => {
  describe('planBuild', () => {
    it('given no registry, when the projection is first seen, then a first build starts at generation 1', () => {
      const next = planBuild(undefined, v1, 42n, NOW);
      expect(next).toEqual({
        ...emptyRegistry('balances'),
        building: {
          collection: 'balances_v1_1',
          version: 1,
          generation: 1,
          reason: 'first_build',
          startedAt: NOW,
          targetPosition: '42',
        },
        lastGeneration: 1,
      });
    });

    it('given a build under way, when looked at again, then nothing changes', () => {
      const building = planBuild(undefined, v1, 42n, NOW)!;
      expect(planBuild(building, v1, 50n, LATER)).toBeUndefined();
    });

    it('given the active generation is of this version, when nothing is asked, then nothing changes', () => {
      expect(planBuild(servingV1(), v1, 99n, LATER)).toBeUndefined();
    });

    it('given version 1 is active, when the code defines version 2, then version 2 builds into a new generation', () => {
      const next = planBuild(servingV1(), v2, 99n, LATER)!;
      expect(next.active?.collection).toBe('balances_v1_1');
      expect(next.building).toMatchObject({
        collection: 'balances_v2_2',
        reason: 'version_change',
        targetPosition: '99',
      });
      expect(next.lastGeneration).toBe(2);
    });

    it('given a rebuild was asked for, when the holder looks, then it starts and the request is answered', () => {
      const asked = planRebuildRequest(servingV1(), v1, LATER)!;
      const next = planBuild(asked, v1, 99n, LATER)!;
      expect(next.building).toMatchObject({ collection: 'balances_v1_2', reason: 'requested' });
      expect(next.rebuildRequestedAt).toBeNull();
    });

    it('given a build that failed, when a rebuild is asked for, then a new generation replaces it and the failed one is retired', () => {
      const building = planBuild(servingV1(), v2, 99n, NOW)!;
      const asked = planRebuildRequest(building, { ...v2, buildFailed: true }, LATER)!;
      const next = planBuild(asked, { ...v2, buildFailed: true }, 120n, LATER)!;
      expect(next.building).toMatchObject({ collection: 'balances_v2_3', reason: 'requested' });
      expect(next.retired).toEqual([{ collection: 'balances_v2_2', at: LATER }]);
    });

    it('given a build that failed, when nobody asks, then it is left failed rather than retried at once', () => {
      const building = planBuild(servingV1(), v2, 99n, NOW)!;
      expect(planBuild(building, { ...v2, buildFailed: true }, 120n, LATER)).toBeUndefined();
    });

    it('given a request while a build of this version runs, when looked at, then the build answers it', () => {
      const building = planBuild(servingV1(), v2, 99n, NOW)!;
      const asked = { ...building, rebuildRequestedAt: LATER };
      expect(planBuild(asked, v2, 120n, LATER)).toEqual({ ...building, rebuildRequestedAt: null });
    });
  });

  describe('planSwitch', () => {
    it('given a build, when it has caught up, then queries read it and the old one is retired', () => {
      const building = planBuild(servingV1(), v2, 99n, NOW)!;
      const next = planSwitch(building, 'balances_v2_2', LATER)!;
      expect(next.active).toEqual({ collection: 'balances_v2_2', version: 2, generation: 2 });
      expect(next.building).toBeNull();
      expect(next.switchedAt).toBe(LATER);
      expect(next.retired).toEqual([{ collection: 'balances_v1_1', at: LATER }]);
      expect(liveCollection(next, 2)).toBe('balances_v2_2');
    });

    it('given the build was replaced meanwhile, when the old build catches up, then nothing switches', () => {
      const building = planBuild(servingV1(), v2, 99n, NOW)!;
      expect(planSwitch(building, 'balances_v2_9', LATER)).toBeUndefined();
    });
  });

  describe('planRebuildRequest', () => {
    it('given a rebuild already asked for or under way, when asked again, then nothing changes', () => {
      const asked = planRebuildRequest(servingV1(), v1, NOW)!;
      expect(planRebuildRequest(asked, v1, LATER)).toBeUndefined();
      const building = planBuild(asked, v1, 10n, NOW)!;
      expect(planRebuildRequest(building, v1, LATER)).toBeUndefined();
    });
  });

  describe('drops', () => {
    it('given retired collections, when their delay has passed, then they are due and then forgotten', () => {
      const switched = planSwitch(planBuild(servingV1(), v2, 99n, NOW)!, 'balances_v2_2', NOW)!;
      const at = Date.parse(NOW);
      expect(dueForDrop(switched, at + 29_999, 30_000)).toEqual([]);
      expect(dueForDrop(switched, at + 30_000, 30_000)).toEqual(['balances_v1_1']);
      expect(withoutDropped(switched, new Set(['balances_v1_1']))?.retired).toEqual([]);
      expect(withoutDropped(switched, new Set(['other']))).toBeUndefined();
    });

    it('given the active generation is of an older version, then the running code follows none', () => {
      expect(liveCollection(servingV1(), 2)).toBeUndefined();
    });
  });
});
