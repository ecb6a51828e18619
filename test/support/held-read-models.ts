import type { ReadModelStore } from '../../src/stores/read-model-store.js';

/**
 * A read model held back on purpose: once `hold()` is called, writes to the collections of the
 * named projections wait until `release()` (and with them whatever commits in the same call),
 * while reads go on as usual. Pass `wrap` as the service's `wrapReadModels`, and release before closing the
 * service: its projections stop only once their writes return.
 */
export function holdBackProjections(projections: readonly string[]) {
  let holding = false;
  let open!: () => void;
  let gate = Promise.resolve();
  let caught!: () => void;
  const held = new Promise<void>((resolve) => (caught = resolve));
  const isHeld = (collection: string) =>
    projections.some((name) => collection.startsWith(`${name}_v`));

  return {
    wrap(store: ReadModelStore): ReadModelStore {
      return new Proxy(store, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver) as unknown;
          const waitIfHeld = async (collections: readonly string[]) => {
            if (holding && collections.some(isHeld)) {
              caught();
              await gate;
            }
          };
          if (property === 'writeBatch') {
            const writeBatch: ReadModelStore['writeBatch'] = async (collection, writes) => {
              await waitIfHeld([collection]);
              return target.writeBatch(collection, writes);
            };
            return writeBatch;
          }
          if (property === 'writeBatches') {
            // Documents of several projections commit together: one held holds the call.
            const writeBatches: ReadModelStore['writeBatches'] = async (batches) => {
              await waitIfHeld(batches.map((batch) => batch.collection));
              return target.writeBatches(batches);
            };
            return writeBatches;
          }
          return value;
        },
      });
    },
    /** From now on, writes to the held collections wait. */
    hold(): void {
      holding = true;
      gate = new Promise<void>((resolve) => (open = resolve));
    },
    /** Resolves once a write to a held collection is waiting: the read model is stuck before it. */
    held,
    /** Lets every waiting and later write through. */
    release(): void {
      if (!holding) return;
      holding = false;
      open();
    },
  };
}
