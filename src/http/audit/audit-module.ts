import { z } from 'zod';
import { createAuditCommands, type AuditCommands } from '../../commands/audit/audit-commands.js';
import { emptyAsUnset, envInt } from '../../config.js';
import {
  auditAccessEventSchemas,
  auditAccessEventStreams,
} from '../../domain/audit/audit-access.js';
import {
  auditDigestEventSchemas,
  auditDigestEventStreams,
} from '../../domain/audit/digest-checkpoint.js';
import { auditEventsProjection } from '../../projections/audit/audit-projection.js';
import { createAuditQueries } from '../../projections/audit/audit-queries.js';
import { createLogVerifier } from '../../projections/audit/log-verifier.js';
import { defineModule, type ModuleMetrics } from '../module.js';
import { auditRoutes } from './audit-routes.js';
import { revealSealedValues } from '../../commands/personal-data/personal-fields.js';

export interface AuditSettings {
  /** AUDIT_CHECKPOINT_EVERY: a verification saves a digest checkpoint every this many events. */
  readonly checkpointEvery: number;
  /** AUDIT_RECHECK_SEGMENTS: old segments an incremental verification re-reads. */
  readonly recheckSegments: number;
}

export const auditModule = defineModule<AuditCommands, AuditSettings>({
  name: 'audit',
  summary:
    'Every event of every module searchable by who, what, when and request; record histories, streamed exports, and tamper verification of the stored log. Reading it is itself recorded.',
  settings: z
    .object({
      AUDIT_CHECKPOINT_EVERY: z.preprocess(emptyAsUnset, envInt(100, 10_000_000).default(10_000)),
      AUDIT_RECHECK_SEGMENTS: z.preprocess(emptyAsUnset, envInt(0, 1_000).default(1)),
    })
    .transform((env): AuditSettings => ({
      checkpointEvery: env.AUDIT_CHECKPOINT_EVERY,
      recheckSegments: env.AUDIT_RECHECK_SEGMENTS,
    })),
  eventSchemas: { ...auditAccessEventSchemas, ...auditDigestEventSchemas },
  eventStreams: { ...auditAccessEventStreams, ...auditDigestEventStreams },
  projections: [auditEventsProjection],
  problems: [],
  api: (context) =>
    createAuditCommands({ handle: context.handle, clock: context.clock, ids: context.ids }),
  routes: (context, audit) => {
    const verified = verifications(context);
    return auditRoutes({
      queries: createAuditQueries({
        readModels: context.readModels,
        collection: context.collection,
      }),
      eventStore: context.eventStore,
      verifier: createLogVerifier({
        eventStore: context.eventStore,
        readModels: context.readModels,
        recordCheckpoints: audit.recordCheckpoints,
        logger: context.logger,
        clock: context.clock,
        checkpointEvery: context.settings.checkpointEvery,
        recheckSegments: context.settings.recheckSegments,
      }),
      recordAccess: audit.recordAccess,
      reveal: (request, value) =>
        revealSealedValues(context.personalData, value, (subject) =>
          context.mayReadPersonalData(request.principal.scopes, subject),
        ) as Promise<typeof value>,
      awaitPosition: context.awaitPosition,
      verified: (mode, result) => verified.inc({ mode, result }),
    });
  },
});

/** The verifications counter, on the service's registry (made once, then found by name). */
const verifications = (context: { readonly metrics: ModuleMetrics }) =>
  context.metrics.counter({
    name: 'audit_verifications_total',
    help: 'Audit log verifications (GET /v1/audit/verify) by mode and result: intact, tampered, stopped (the client went away), failed',
    labelNames: ['mode', 'result'],
  });
