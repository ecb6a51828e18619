/**
 * The audit trail's queries over the `audit_events` read model: filtered pages in log order,
 * and the same filters as a scan of bounded pages for exports.
 */
import {
  decodePosition,
  encodePosition,
  type ReadModelStore,
  type Where,
} from '../../stores/read-model-store.js';
import type { Page } from '../ledger/ledger-queries.js';
import {
  AUDIT_FILTER_FIELDS,
  auditEventsProjection,
  type AuditEventDocument,
} from './audit-projection.js';

export const AUDIT_READ_MODELS = [auditEventsProjection.name] as const;

export interface AuditFilter {
  readonly stream?: string;
  readonly entityType?: string;
  readonly entityId?: string;
  readonly actor?: string;
  readonly type?: string;
  readonly correlationId?: string;
  /** Inclusive bounds on `recordedAt`, ISO 8601 UTC with milliseconds. */
  readonly from?: string;
  readonly to?: string;
}

/** An audit event as the API shows it: the document with its position as a plain decimal. */
export type AuditEventView = Omit<AuditEventDocument, 'position'> & { readonly position: string };

const LOG_ORDER = [{ field: 'position', direction: 'asc' }] as const;
const SCAN_PAGE = 500;

export interface AuditQueryDeps {
  readonly readModels: ReadModelStore;
  readonly collection: (projection: string) => Promise<string>;
}

export function createAuditQueries({ readModels, collection }: AuditQueryDeps) {
  function whereOf(filter: AuditFilter): Where {
    const where: Record<string, Where[string]> = {};
    // A record's type and id name exactly one stream (types have no hyphen), whose index is
    // the most selective there is: ask for the stream alone.
    const byRecord =
      filter.entityType !== undefined &&
      filter.entityId !== undefined &&
      filter.stream === undefined;
    if (byRecord) where.stream = `${filter.entityType}-${filter.entityId}`;
    for (const field of AUDIT_FILTER_FIELDS) {
      const value = filter[field];
      if (value === undefined) continue;
      if (byRecord && (field === 'entityType' || field === 'entityId')) continue;
      where[field] = value;
    }
    if (filter.from !== undefined || filter.to !== undefined) {
      where.recordedAt = {
        ...(filter.from !== undefined ? { gte: filter.from } : {}),
        ...(filter.to !== undefined ? { lte: filter.to } : {}),
      };
    }
    return where;
  }

  return {
    async listEvents(
      filter: AuditFilter,
      page: { readonly limit: number; readonly cursor?: string },
    ): Promise<Page<AuditEventView>> {
      const result = await readModels.find(await collection(auditEventsProjection.name), {
        where: whereOf(filter),
        sort: LOG_ORDER,
        limit: page.limit,
        cursor: page.cursor,
      });
      return {
        items: result.documents.map((document) =>
          view(auditEventsProjection.document(document.body)),
        ),
        nextCursor: result.nextCursor ?? null,
      };
    },

    /**
     * Every matching event in log order up to `upToPosition`, one bounded page in memory at a
     * time. The bound stops the scan rather than joining the query, so the query keeps the plan
     * its filters give it.
     */
    async *scanEvents(
      filter: AuditFilter & { readonly upToPosition: bigint },
      signal?: AbortSignal,
    ): AsyncGenerator<AuditEventView> {
      const target = await collection(auditEventsProjection.name);
      const where = whereOf(filter);
      const last = encodePosition(filter.upToPosition);
      for (let cursor: string | undefined; ;) {
        signal?.throwIfAborted();
        const page = await readModels.find(target, {
          where,
          sort: LOG_ORDER,
          limit: SCAN_PAGE,
          cursor,
        });
        for (const document of page.documents) {
          const body = auditEventsProjection.document(document.body);
          if (body.position > last) return;
          yield view(body);
        }
        if (!page.nextCursor) return;
        cursor = page.nextCursor;
      }
    },
  };
}

export type AuditQueries = ReturnType<typeof createAuditQueries>;

function view(document: AuditEventDocument): AuditEventView {
  return { ...document, position: decodePosition(document.position).toString() };
}
