/**
 * Where the bootstrap admin key's hash is kept when no API_KEYS are configured: one key for every
 * instance that shares the store, made by whichever instance starts first.
 */
export interface StoredBootstrapKey {
  readonly id: string;
  readonly secretSha256: string;
}

export interface BootstrapKeyStore {
  /**
   * The key already stored, or else `candidate`, stored as the key: of several instances
   * starting at once, exactly one stores its candidate and all get that one. `created` tells
   * the instance whose candidate it was.
   */
  loadOrCreate(
    candidate: StoredBootstrapKey,
  ): Promise<{ readonly key: StoredBootstrapKey; readonly created: boolean }>;
}
