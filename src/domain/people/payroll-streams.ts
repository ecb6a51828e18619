import type { PayrollEventType } from './payroll-events.js';

/**
 * Stream names are `<entityType>-<entityId>`, split at the first hyphen, so the entity types
 * are camelCase: `payrollRun-<runId>`, and `payrollPeriod-<YYYY-MM>-<currency>` for the claim
 * that keeps one run per month and currency.
 */
export const payrollStreams = {
  run: (runId: string) => `payrollRun-${runId}`,
  period: (period: string, currency: string) => `payrollPeriod-${period}-${currency}`,
} as const;

/** The stream each event type is appended to, with placeholders for its ids. */
export const payrollEventStreams = {
  PayrollRunDrafted: payrollStreams.run('<runId>'),
  PayrollRunRecalculated: payrollStreams.run('<runId>'),
  PayrollRunApproved: payrollStreams.run('<runId>'),
  PayrollRunPaid: payrollStreams.run('<runId>'),
  PayrollRunCancelled: payrollStreams.run('<runId>'),
  PayrollRunReversed: payrollStreams.run('<runId>'),
  PayrollPeriodClaimed: payrollStreams.period('<YYYY-MM>', '<currency>'),
  PayrollPeriodReleased: payrollStreams.period('<YYYY-MM>', '<currency>'),
} as const satisfies Record<PayrollEventType, string>;
