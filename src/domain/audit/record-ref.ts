/**
 * Every stream is one record, named `<entityType>-<entityId>` and split at the first hyphen
 * (entity types are camelCase and never contain one). The audit trail relies on this alone, so
 * it covers every module's records, present and future, without knowing any of them.
 */
export interface RecordRef {
  readonly entityType: string;
  readonly entityId: string;
}

export const ENTITY_TYPE = /^[a-z][A-Za-z0-9]{0,63}$/;

export function recordOfStream(streamId: string): RecordRef {
  const hyphen = streamId.indexOf('-');
  if (hyphen < 0) return { entityType: streamId, entityId: '' };
  return { entityType: streamId.slice(0, hyphen), entityId: streamId.slice(hyphen + 1) };
}

export function streamOfRecord(record: RecordRef): string {
  return `${record.entityType}-${record.entityId}`;
}
