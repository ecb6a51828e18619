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
import { consistencyQuery, documented, unicode } from '../schemas.js';
import { csvRow } from './csv.js';

const SCOPES = ['audit:read'] as const;

/** Any text without control characters: ids, names and types as stored. */
const auditText = unicode(256)
  // eslint-disable-next-line no-control-regex -- control characters are what it refuses
  .regex(/^[^\x00-\x1f\x7f]+$/, 'must be 1-256 characters without control characters')
  .meta({ minLength: 1 });

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
/**
 * RFC 3339 `date-time` as read here: upper-case T and Z, whole seconds (no leap second), at most
 * nine decimals. The document says the same by `format: date-time` and this pattern together.
 */
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** A calendar day of RFC 3339's proleptic calendar (the year 0000 included, unlike the ledger's). */
function isCalendarDay(value: string): boolean {
  if (!DATE_ONLY.test(value)) return false;
  // Month 00 or 13 is no date at all (toISOString would throw); 02-30 rolls into March.
  const midnight = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(midnight.getTime()) && midnight.toISOString().startsWith(value);
}

/** A timestamp with a zone, or a date standing for its whole UTC day. */
const instant = (edge: 'start' | 'end') =>
  documented(
    z
      .string()
      .refine(
        (value) => isCalendarDay(value) || isCalendarDay(DATE_TIME.exec(value)?.[1] ?? ''),
        'must be an ISO 8601 timestamp with a zone, like 2026-11-23T09:30:00Z, or a date',
      )
      .transform((value) => {
        if (DATE_ONLY.test(value)) {
          return `${value}T${edge === 'start' ? '00:00:00.000' : '23:59:59.999'}Z`;
        }
        const utc = new Date(value).toISOString();
        // An offset can carry an instant out of the four-digit years (into 10000, or -1), where
        // toISOString writes six digits and a sign, which compare wrongly with recordedAt as
        // text. Every recordedAt lies inside, so the edge of the range means the same.
        if (utc.startsWith('+')) return '9999-12-31T23:59:59.999Z';
        if (utc.startsWith('-')) return '0000-01-01T00:00:00.000Z';
        return utc;
      }),
    {
      anyOf: [
        { type: 'string', format: 'date' },
        { type: 'string', format: 'date-time', pattern: DATE_TIME.source },
      ],
      example: edge === 'start' ? '2026-11-01' : '2026-11-23T17:00:00Z',
    },
  );

const filterQuery = {
  stream: auditText.optional().describe('Events of this stream, e.g. invoice-INV-7'),
  entityType: z
    .string()
    .regex(ENTITY_TYPE, 'must be a camelCase record type, like invoice')
    .optional()
    .describe('Events of records of this type (the stream name before its first hyphen)'),
  entityId: auditText.optional().describe('Events of records with this id'),
  actor: auditText.optional().describe('Events written by this API key (its id)'),
  type: auditText.optional().describe('Events of this type, e.g. InvoiceIssued'),
  correlationId: auditText.optional().describe('Events written within this correlation id'),
  from: instant('start')
    .optional()
    .describe('Recorded at or after this instant (a date: from its start, UTC); not after `to`'),
  to: instant('end')
    .optional()
    .describe('Recorded at or before this instant (a date: to its end, UTC)'),
};

type FilterInput = { [K in keyof typeof filterQuery]?: string };

const auditEvent = z.object({
  position: z.string().describe('Global log position'),
  stream: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  revision: z.number().int(),
  eventId: z.string(),
  type: z.string(),
  occurredAt: z.string().nullable().describe('Business time given by the writer'),
  recordedAt: z.string().describe('When the service recorded it (sealed in the event hash)'),
  actor: z.string().nullable().describe('The API key that wrote it'),
  onBehalfOf: z.string().nullable().describe('The user the caller acted for (X-On-Behalf-Of)'),
  correlationId: z.string().nullable(),
  causationId: z.string().nullable().describe('The request, or the event, that caused it'),
  requestId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});

const historyEntry = auditEvent.omit({ stream: true, entityType: true, entityId: true }).extend({
  summary: z.string().describe('What happened and which fields it set or changed'),
  changes: z.array(
    z.object({
      field: z.string().describe('Dotted path into the event data'),
      from: z.unknown().optional().describe("The record's previous value, when it had one"),
      to: z.unknown(),
    }),
  ),
});

const linkProblem = z.object({
  kind: z.enum([
    'content-altered',
    'unsealed',
    'broken-link',
    'revision-gap',
    'revision-out-of-order',
    'unreadable',
  ]),
  detail: z.string(),
});

const verificationReport = z.object({
  mode: z.enum(['full', 'incremental']),
  status: z.enum(['intact', 'tampered']),
  fromPosition: z.string(),
  toPosition: z.string(),
  eventsChecked: z.number().int(),
  streamsChecked: z.number().int(),
  eventsRechecked: z.number().int(),
  digest: z.object({ position: z.string(), events: z.number().int(), value: z.string() }),
  brokenStreams: z.array(
    z.object({
      stream: z.string(),
      entityType: z.string(),
      entityId: z.string(),
      position: z.string(),
      revision: z.string(),
      eventId: z.string(),
      eventType: z.string(),
      problems: z.array(linkProblem),
    }),
  ),
  brokenStreamCount: z.number().int(),
  checkpoints: z.object({
    compared: z.number().int(),
    mismatched: z.array(
      z.object({
        fromPosition: z.string(),
        toPosition: z.string(),
        verifiedAt: z.string(),
        eventsThen: z.number().int(),
        eventsNow: z.number().int(),
        digestThen: z.string(),
        digestNow: z.string(),
      }),
    ),
    found: z.number().int().describe('Checkpoint events in the log when the run started'),
    legacy: z
      .number()
      .int()
      .describe(
        'Checkpoints compared from the read models of versions before checkpoints were events; used only while the log holds none',
      ),
    saved: z.number().int().describe('Checkpoint events this run appended'),
    latest: z
      .object({
        stream: z.string(),
        revision: z.string(),
        position: z.string().describe('The last log position it covers'),
        events: z.number().int(),
        digest: z.string(),
        verifiedAt: z.string(),
      })
      .nullable()
      .describe('The newest checkpoint in the log when the run ended'),
    missing: z
      .array(
        z.object({
          revision: z.string(),
          position: z.string(),
          digest: z.string(),
          namedBy: z
            .object({ position: z.string(), eventId: z.string(), recordedAt: z.string() })
            .describe('The AuditTrailAccessed event of the verification that left it'),
          found: z
            .object({ position: z.string(), digest: z.string() })
            .nullable()
            .describe('What that revision of the checkpoint stream holds instead'),
          detail: z.string(),
        }),
      )
      .describe(
        'Checkpoints the log says earlier verifications left, but that it does not hold as they were: any makes the status tampered',
      ),
  }),
  startedAt: z.string(),
  durationMs: z.number().int(),
});

const EXPORT_COLUMNS = [
  'position',
  'recordedAt',
  'occurredAt',
  'stream',
  'entityType',
  'entityId',
  'revision',
  'type',
  'actor',
  'onBehalfOf',
  'correlationId',
  'causationId',
  'requestId',
  'eventId',
  'data',
] as const;

/** Rows are gathered into chunks of about this size before each write to the socket. */
const EXPORT_CHUNK_CHARS = 64 * 1024;

export interface AuditRouteDeps {
  readonly queries: AuditQueries;
  readonly eventStore: EventStore;
  readonly verifier: LogVerifier;
  readonly recordAccess: RecordAccess;
  /** True once the read models (and reactors) reflect `position`, false after the bound. */
  readonly awaitPosition: (position: bigint, readModels: readonly string[]) => Promise<boolean>;
}

export function auditRoutes({
  queries,
  eventStore,
  verifier,
  recordAccess,
  awaitPosition,
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
        return page;
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
        return { entityType: params.type, entityId: params.id, stream, ...history };
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
              for await (const event of queries.scanEvents(filter, sink.signal)) {
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
          if (!context.signal.aborted) throw error;
          // Nobody is left to answer; the stop is still on the record.
          context.log.info('verification stopped: the client went away');
          await record(context, 'verify', { mode }, { rowCount: 0, completed: false });
          return { status: 499, body: null };
        }
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
  if (query.from !== undefined && query.to !== undefined && query.from > query.to) {
    throw httpProblem(platformProblems.validation, 'query.from: must not be after to', {
      errors: [{ path: 'query.from', message: 'must not be after to' }],
    });
  }
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
