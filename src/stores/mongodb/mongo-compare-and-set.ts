/**
 * Compare-and-set of single documents, built only from what MongoDB 6+ and FerretDB 1.24 both
 * make atomic.
 *
 * A conditional update such as `findOneAndUpdate({ _id, state: 'pending' }, ...)` is atomic on
 * MongoDB, but FerretDB 1.24 evaluates the filter first and then writes by `_id` without checking
 * it again (`internal/handler/common/update.go`), so two racing callers can both match and both
 * write. An insert that collides on `_id` is refused by both. So every document carries an
 * `epoch`, and moving it from epoch e to e + 1 first inserts the token `[id, e]` into a second
 * collection: one caller alone can, and only that caller writes the next state.
 *
 * Tokens are deleted once the document is two epochs past them, so they do not pile up. A caller
 * that read an old epoch and inserts a token that was deleted meanwhile reads the document again
 * after the insert, finds it further along, and backs off. Every lookup is by `_id`, the one
 * filter FerretDB 1.24 answers from an index.
 */
import type { Db, Document } from 'mongodb';
import { guard, isDuplicateKey } from './mongo-errors.js';

export type Stored<State> = State & { readonly _id: string; readonly epoch: number };

export interface CompareAndSetCollection<State extends Document> {
  read(id: string): Promise<Stored<State> | null>;
  /** Creates the document at epoch 1; false if it exists. */
  create(id: string, state: State): Promise<boolean>;
  /** Replaces `current` by `next` if nobody moved the document since `current` was read. */
  transition(current: Stored<State>, next: State): Promise<boolean>;
}

interface Token {
  _id: string;
}

export function compareAndSetCollection<State extends Document>(
  db: Db,
  name: string,
): CompareAndSetCollection<State> {
  const documents = db.collection<Document & { _id: string }>(name);
  const tokens = db.collection<Token>(`${name}_transitions`);
  const tokenId = (id: string, epoch: number) => JSON.stringify([id, epoch]);

  async function read(id: string): Promise<Stored<State> | null> {
    return (await guard(() => documents.findOne({ _id: id }))) as Stored<State> | null;
  }

  async function insert<T extends { _id: string }>(
    collection: { insertOne(document: T): Promise<unknown> },
    document: T,
  ): Promise<boolean> {
    try {
      await guard(() => collection.insertOne(document));
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  return {
    read,

    async create(id, state) {
      return insert(documents, { ...state, _id: id, epoch: 1 });
    },

    async transition(current, next) {
      const { _id: id, epoch } = current;
      const token = tokenId(id, epoch);
      if (!(await insert(tokens, { _id: token }))) return false;
      const now = await read(id);
      if (now?.epoch !== epoch) {
        // A stale caller re-inserted a token that had been deleted: not ours to use.
        await guard(() => tokens.deleteOne({ _id: token }));
        return false;
      }
      await guard(() => documents.replaceOne({ _id: id }, { ...next, epoch: epoch + 1 }));
      await guard(() => tokens.deleteOne({ _id: tokenId(id, epoch - 1) }));
      return true;
    },
  };
}
