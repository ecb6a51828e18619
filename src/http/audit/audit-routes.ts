import { z } from 'zod';
import type { AuditOperation, RecordAuditAccess } from '../../domain/audit/audit-access.js';
import { ENTITY_TYPE, streamOfRecord } from '../../domain/audit/record-ref.js';
import type { RecordAccess } from '../../commands/audit/audit-commands.js';
import {
  AUDIT_READ_MODELS,
  type AuditEventView,
  type AuditFilter,
  type AuditQueries,
} from '../../projections/audit/audit-queries.js';
import { readRecordHistory } from '../../projections/audit/record-history.js';
import { checkpointToRecord, type LogVerifier } from '../../projections/audit/log-verifier.js';
import type { EventStore } from '../../stores/event-store.js';
import { platformProblems } from '../problem-types.js';
import { httpProblem } from '../problem.js';
import { commandContext, defineRoute, type RequestContext, type RouteSpec } from '../route.js';
import { listRoute } from '../route-builders.js';
import { consistencyQuery } from '../schemas.js';
import {
  auditEvent,
  auditText,
  EXPORT_COLUMNS,
  filterQuery,
  historyEntry,
  verificationReport,
  type FilterInput,
} from './audit-schemas.js';
import { csvRow } from './csv.js';

const SCOPES = ['audit:read'] as const;

/** Rows are gathered into chunks of about this size before each write to the socket. */
const EXPORT_CHUNK_CHARS = 64 * 1024;

export interface AuditRouteDeps {
  readonly queries: AuditQueries;
  readonly eventStore: EventStore;
  readonly verifier: LogVerifier;
  readonly recordAccess: RecordAccess;
  /** True once the read models (and reactors) reflect `position`, false after the bound. */
  readonly awaitPosition: (position: bigint, readModels: readonly string[]) => Promise<boolean>;
  /**
   * Events show personal data as stored, sealed: `reveal` opens what the caller's key may read
   * and redacts the rest (see `revealSealedValues`).
   */
  readonly reveal: <T>(context: RequestContext, value: T) => Promise<T>;
  /** Counts each verification by mode and result (metrics). */
  readonly verified?: (
    mode: 'full' | 'incremental',
    result: 'intact' | 'tampered' | 'stopped' | 'failed',
  ) => void;
}

export function auditRoutes({
  queries,
  eventStore,
  verifier,
  recordAccess,
  awaitPosition,
  reveal,
  verified = () => undefined,
}: AuditRouteDeps): RouteSpec[] {
  const record = (
    context: RequestContext,
    operation: AuditOperation,
    filters: Readonly<Record<string, string | undefined>>,
    outcome: Pick<RecordAuditAccess, 'rowCount' | 'completed' | 'outcome' | 'checkpoint'>,
  ) =>
    // Recorded as the caller's own action, within the caller's request.
    recordAccess(commandContext(context), {
      type: 'RecordAuditAccess',
      operation,
      filters,
      ...outcome,
    });

  return [
    listRoute({
      path: '/v1/audit/events',
      operationId: 'listAuditEvents',
      summary: 'Events of the whole log, filtered, in log order',
      description:
        'Every filter may be combined with the others. Pages follow the log order, so events written while a client pages through arrive on later pages and never shift earlier ones. Each call is itself recorded as an AuditTrailAccessed event.',
      tag: 'audit',
      scopes: SCOPES,
      filters: z.strictObject(filterQuery),
      readModels: AUDIT_READ_MODELS,
      item: auditEvent,
      pageDescription: 'A page of events',
      async handle({ query, context }) {
        const page = await queries.listEvents(toFilter(query), query);
        await record(context, 'events', filterRecord(query, { cursor: query.cursor }), {
          rowCount: page.items.length,
          completed: true,
        });
        return { ...page, items: await reveal(context, page.items) };
      },
    }),

    listRoute({
      path: '/v1/audit/entities/{type}/{id}/history',
      operationId: 'getRecordHistory',
      summary: 'Every event of one record, in order, with what each changed',
      description:
        'Read from the event store itself, so it is always current. A record is a stream `<type>-<id>`: invoice/INV-7 is the stream invoice-INV-7. Each entry says which fields of the event data were new or differed from the value the record last had.',
      tag: 'audit',
      scopes: SCOPES,
      params: z.strictObject({
        type: z.string().regex(ENTITY_TYPE, 'must be a camelCase record type, like invoice'),
        id: auditText,
      }),
      item: historyEntry,
      pageDescription: 'A page of the record history',
      pageFields: { entityType: z.string(), entityId: z.string(), stream: z.string() },
      notFound: {
        description: 'No record of that type and id',
        detail: ({ type, id }) => `No record ${type}/${id}`,
      },
      async handle({ params, query, context }) {
        const stream = streamOfRecord({ entityType: params.type, entityId: params.id });
        const history = await readRecordHistory(eventStore, stream, query);
        if (!history) return undefined;
        await record(
          context,
          'history',
          { entityType: params.type, entityId: params.id, cursor: query.cursor },
          { rowCount: history.items.length, completed: true },
        );
        return {
          entityType: params.type,
          entityId: params.id,
          stream,
          ...history,
          items: await reveal(context, history.items),
        };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/v1/audit/export',
      operationId: 'exportAuditEvents',
      summary: 'Stream every matching event as CSV or NDJSON',
      description:
        'The same filters as GET /v1/audit/events, without paging: the whole result is streamed, up to the head of the log when the export starts (X-Position). Memory stays flat however many rows; a client that disconnects stops the export. CSV cells that would start a spreadsheet formula are prefixed with an apostrophe; NDJSON keeps every value exactly.',
      tag: 'audit',
      scopes: SCOPES,
      query: consistencyQuery.extend({
        format: z.enum(['csv', 'ndjson']).optional().describe('csv by default'),
        ...filterQuery,
      }),
      readModels: AUDIT_READ_MODELS,
      responses: {
        200: {
          description: 'The matching events, one per row or line',
          mediaTypes: ['text/csv', 'application/x-ndjson'],
        },
      },
      async handle({ query, context }) {
        const format = query.format ?? 'csv';
        // The export claims every match up to this position, so it starts only once the read
        // model holds all of them.
        const upTo = await eventStore.headPosition();
        if (!(await awaitPosition(upTo, AUDIT_READ_MODELS))) {
          throw httpProblem(
            platformProblems.notYetConsistent,
            `The audit read model has not reached position ${upTo} yet; retry shortly`,
            { headers: { 'Retry-After': '1' } },
          );
        }
        const filter = { ...toFilter(query), upToPosition: upTo };
        const stamp = new Date().toISOString().replace(/[:.]/g, '-');
        return {
          status: 200,
          headers: {
            'Content-Type':
              format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
            'Content-Disposition': `attachment; filename="audit-events-${stamp}.${format}"`,
            'X-Position': upTo.toString(),
            'Cache-Control': 'no-store',
          },
          async stream(sink) {
            let rows = 0;
            let completed = false;
            try {
              let chunk = format === 'csv' ? csvRow(EXPORT_COLUMNS) : '';
              for await (const stored of queries.scanEvents(filter, sink.signal)) {
                const event = await reveal(context, stored);
                chunk += format === 'csv' ? csvLine(event) : `${JSON.stringify(event)}\n`;
                rows += 1;
                if (chunk.length >= EXPORT_CHUNK_CHARS) {
                  await sink.write(chunk);
                  chunk = '';
                }
              }
              if (chunk.length > 0) await sink.write(chunk);
              completed = true;
            } catch (error) {
              if (!sink.signal.aborted) throw error;
              context.log.info({ rows }, 'audit export stopped: the client went away');
            } finally {
              await record(context, 'export', filterRecord(query, { format }), {
                rowCount: rows,
                completed,
              }).catch((error: unknown) => {
                context.log.error({ err: error }, 'could not record an audit export');
              });
            }
          },
        };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/v1/audit/verify',
      operationId: 'verifyAuditLog',
      summary: 'Recompute the hash chains and the log digest from the event store',
      description:
        'full (default) reads the whole log: every stream chain, revisions without gaps, and every segment between saved digest checkpoints. incremental reads what is new since the last checkpoint, the previous event of each stream it extends, and the least recently re-checked old segment. The answer is 200 either way; status says intact or tampered, and the first broken link of each stream says what is wrong.',
      tag: 'audit',
      scopes: SCOPES,
      query: z.strictObject({
        mode: z.enum(['full', 'incremental']).optional().describe('full by default'),
      }),
      responses: { 200: { description: 'The verification report', schema: verificationReport } },
      async handle({ query, context }) {
        const mode = query.mode ?? 'full';
        let report;
        try {
          report = await verifier.verify(mode, context.signal, commandContext(context));
        } catch (error) {
          verified(mode, context.signal.aborted ? 'stopped' : 'failed');
          if (!context.signal.aborted) throw error;
          // Nobody is left to answer; the stop is still on the record.
          context.log.info('verification stopped: the client went away');
          await record(context, 'verify', { mode }, { rowCount: 0, completed: false });
          return { status: 499, body: null };
        }
        verified(mode, report.status);
        await record(
          context,
          'verify',
          { mode },
          {
            rowCount: report.eventsChecked,
            completed: true,
            outcome: report.status,
            // What a later run must find, so that removing checkpoints cannot pass unseen.
            checkpoint: checkpointToRecord(report),
          },
        );
        return { status: 200, body: report };
      },
    }),
  ];
}

function toFilter(query: FilterInput): AuditFilter {
  // `from` after `to` is refused for every query by the route (`parseQuery`).
  return {
    stream: query.stream,
    entityType: query.entityType,
    entityId: query.entityId,
    actor: query.actor,
    type: query.type,
    correlationId: query.correlationId,
    from: query.from,
    to: query.to,
  };
}

/** What the access record keeps of a request: its filters as given, and any extras. */
function filterRecord(
  query: FilterInput,
  extra: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  const kept: Record<string, string | undefined> = {};
  for (const name of Object.keys(filterQuery) as (keyof typeof filterQuery)[]) {
    kept[name] = query[name];
  }
  return { ...kept, ...extra };
}

function csvLine(event: AuditEventView): string {
  return csvRow(
    EXPORT_COLUMNS.map((column) =>
      column === 'data' ? JSON.stringify(event.data) : event[column],
    ),
  );
}
