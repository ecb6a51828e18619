/** The lock date: close a month (and every earlier one), reopen it, and its history. */
import { z } from 'zod';
import type { LedgerCommands } from '../../commands/ledger/ledger-commands.js';
import type { PostingRules } from '../../commands/ledger/posting-rules.js';
import { lockDateOf } from '../../domain/ledger/period.js';
import { commandRoute } from '../route-builders.js';
import { commandContext, defineRoute, type RouteSpec } from '../route.js';
import { closablePeriodId, consistencyQuery, text } from '../schemas.js';

const periodLockResponse = z.object({
  lockDate: z
    .string()
    .nullable()
    .describe('Nothing dated on or before it can be posted; null when no month is closed'),
  lockedThrough: z.string().nullable().describe('The last month closed, `YYYY-MM`'),
  changes: z
    .array(
      z.object({
        action: z.enum(['close', 'reopen']),
        period: z.string().describe('The month closed or reopened'),
        lockDate: z.string().describe('The lock date it set'),
        reason: z.string().nullable().describe("A reopen's reason"),
        actor: z.string().nullable().describe('Who: the API key'),
        onBehalfOf: z.string().nullable(),
        recordedAt: z.string(),
        position: z.string().describe('Its global position'),
      }),
    )
    .describe('Every close and reopen, oldest first'),
});

const periodAfterWrite = z.object({
  period: z.string(),
  status: z.enum(['closed', 'open']),
  lockDate: z.string().nullable().describe('The lock date now'),
});

const READ_SCOPES = ['reports:read', 'finance:write'] as const;

export function periodRoutes(deps: {
  readonly commands: LedgerCommands;
  /** The lock date and its history, read from the log (the lock stream is small). */
  readonly postingRules: Pick<PostingRules, 'periodLock'>;
}): RouteSpec[] {
  const { commands, postingRules } = deps;
  return [
    commandRoute({
      path: '/v1/ledger/periods/{period}/close',
      operationId: 'closePeriod',
      summary: 'Close a month and every earlier one: the lock date becomes its last day',
      description:
        'Postings dated on or before the lock date are refused (409 `period-closed`). Only the current month (by the service clock) or an earlier one can be closed; a month already on or before the lock date is 409 `period-already-closed`.',
      tag: 'ledger',
      scopes: ['finance:write'],
      params: z.strictObject({ period: closablePeriodId }),
      body: z.strictObject({}),
      success: { status: 200, description: 'Closed', schema: periodAfterWrite },
      invalid: '`invalid-period`: not a month of 1900 or later',
      conflict: 'Already closed (on or before the lock date), or a month that has not begun',
      async handle({ params, context }) {
        const result = await commands.closePeriod(commandContext(context), {
          type: 'ClosePeriod',
          period: params.period,
        });
        return {
          result,
          body: {
            period: params.period,
            status: 'closed',
            lockDate: lockDateOf(result.state.lockedThrough),
          },
        };
      },
    }),

    commandRoute({
      path: '/v1/ledger/periods/{period}/reopen',
      operationId: 'reopenPeriod',
      summary: 'Reopen a closed month and every later one: the lock date moves to the month before',
      description:
        'Recorded with who (the API key) and why (`reason`). Reactors stopped by the closed period (invoice, payroll and stock postings) resume.',
      tag: 'ledger',
      scopes: ['admin'],
      params: z.strictObject({ period: closablePeriodId }),
      body: z.strictObject({ reason: text(500, { lines: 'many' }) }),
      success: { status: 200, description: 'Reopened', schema: periodAfterWrite },
      invalid: '`invalid-period`: not a month of 1900 or later',
      conflict:
        '`period-not-closed`: the month is after the lock date; `fiscal-year-closed`: a month of a closed fiscal year, or before one',
      async handle({ params, body, context }) {
        const result = await commands.reopenPeriod(commandContext(context), {
          type: 'ReopenPeriod',
          period: params.period,
          reason: body.reason,
        });
        return {
          result,
          body: {
            period: params.period,
            status: 'open',
            lockDate: lockDateOf(result.state.lockedThrough),
          },
        };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/v1/ledger/periods',
      operationId: 'getPeriodLock',
      summary: 'The lock date, and every close and reopen with who and why',
      description:
        'Read from the event log itself (the lock stream), so it reflects every write already answered.',
      tag: 'ledger',
      scopes: READ_SCOPES,
      query: consistencyQuery,
      readModels: [],
      responses: {
        200: { description: 'The lock date and its history', schema: periodLockResponse },
      },
      async handle() {
        const lock = await postingRules.periodLock();
        return {
          status: 200,
          body: {
            lockDate: lockDateOf(lock.lockedThrough),
            lockedThrough: lock.lockedThrough ?? null,
            changes: lock.history.map((change) => ({
              action: change.type === 'PeriodClosed' ? 'close' : 'reopen',
              period: change.period,
              lockDate: lockDateOf(change.lockedThrough),
              reason: change.reason ?? null,
              actor: change.actor ?? null,
              onBehalfOf: change.onBehalfOf ?? null,
              recordedAt: change.recordedAt,
              position: change.position.toString(),
            })),
          },
        };
      },
    }),
  ];
}
