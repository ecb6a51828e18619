import { auditEventsProjection } from './audit/audit-projection.js';
import { ledgerProjections } from './ledger/ledger-projections.js';
import { receivablesProjections } from './receivables/receivables-projections.js';
import type { Projection } from './projection.js';

/** Every projection the service runs; the CLI names them from the same list. */
export const allProjections: readonly Projection[] = [
  ...ledgerProjections,
  ...receivablesProjections,
  auditEventsProjection,
];
