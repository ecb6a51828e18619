/** The shapes of the audit routes' queries and answers, shared by their declarations. */
import { z } from 'zod';
import { ENTITY_TYPE } from '../../domain/audit/record-ref.js';
import { documented, isBlank, textPattern, unicode } from '../schemas.js';

/** Any one-line text with something visible: ids, names and types as stored, not trimmed. */
export const auditText = unicode(256)
  .refine((value) => !isBlank(value), 'must not be blank')
  .meta({ minLength: 1, pattern: textPattern('one', 'refused') });

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

export const filterQuery = {
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

export type FilterInput = { [K in keyof typeof filterQuery]?: string };

export const auditEvent = z.object({
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

export const historyEntry = auditEvent
  .omit({ stream: true, entityType: true, entityId: true })
  .extend({
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

export const verificationReport = z.object({
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

export const EXPORT_COLUMNS = [
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
