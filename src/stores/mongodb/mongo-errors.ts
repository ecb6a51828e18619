import {
  MongoError,
  MongoNetworkError,
  MongoServerError,
  MongoServerSelectionError,
} from 'mongodb';
import { StoreUnavailableError } from '../event-store.js';

export const DUPLICATE_KEY = 11000;

export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

/** Lost connections become StoreUnavailableError, so callers pause and retry instead of failing. */
export async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isUnavailable(error)) {
      throw new StoreUnavailableError(`MongoDB unavailable: ${(error as Error).message}`, {
        cause: error,
      });
    }
    throw error;
  }
}

function isUnavailable(error: unknown): boolean {
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError) return true;
  if (error instanceof MongoError) {
    const name = error.name;
    return name === 'MongoNotConnectedError' || name === 'MongoTopologyClosedError';
  }
  return false;
}
