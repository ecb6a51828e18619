import { z } from 'zod';
import type { CommandResult } from '../../commands/command-handler.js';
import type { ReminderCommands } from '../../commands/reminders/reminder-commands.js';
import { reminderChannels } from '../../domain/reminders/events.js';
import type { PaymentRemindersState } from '../../domain/reminders/payment-reminders.js';
import { reminderDocumentOf } from '../../projections/reminders/reminders-projections.js';
import {
  REMINDERS_READ_MODELS,
  type RemindersQueries,
} from '../../projections/reminders/reminders-queries.js';
import { commandRoute, listRoute, recordRoute, withoutRevision } from '../route-builders.js';
import { commandContext, defineRoute, type RouteSpec } from '../route.js';
import { accountingDate, globalPosition, recordId, text } from '../schemas.js';

/** Who may read reminders: whoever reads receivables. */
const READ_SCOPES = ['reports:read', 'finance:write'] as const;

const reminderId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$/,
    'must be a reminder id, `<invoiceId>.R<level>`, like INV-1.R2',
  )
  .describe('`<invoiceId>.R<level>`');

export const reminderResponse = z.object({
  reminderId: z.string().describe('`<invoiceId>.R<level>`'),
  invoiceId: z.string(),
  customerId: z.string(),
  level: z.number().int().describe('1 for the first level of REMINDER_LEVELS, and so on'),
  levelDays: z.number().int().describe('Days overdue the level is reached at'),
  asOf: z.string().describe('The date of the run that issued it'),
  dueDate: z.string(),
  daysOverdue: z.number().int().describe('Days from the due date to asOf'),
  amountOutstanding: z
    .string()
    .describe('What was left to pay as of asOf (payments received by then counted)'),
  currency: z.string(),
  status: z.enum(['issued', 'sent']),
  sent: z
    .object({ sentOn: z.string(), channel: z.enum(reminderChannels), reference: z.string() })
    .nullable()
    .describe('Set once the calling service marked it sent'),
});

const runResponse = z.object({
  asOf: z.string(),
  levels: z
    .array(z.object({ level: z.number().int(), days: z.number().int() }))
    .describe('The levels the run judged by (REMINDER_LEVELS)'),
  examined: z
    .number()
    .int()
    .describe('Invoices due at least the first level’s days before asOf and not settled for good'),
  issued: z.number().int().describe('Reminders this run issued'),
  reminders: z
    .array(reminderResponse)
    .describe(
      'The reminders issued, in order, at most 500; when `issued` is more, list the rest with GET /v1/reminders?asOf=',
    ),
  position: globalPosition.describe(
    'Global position of the last reminder event the run wrote or found ("0" when none): use it as ?consistentWith=',
  ),
});

export function remindersRoutes(deps: {
  readonly commands: ReminderCommands;
  readonly queries: RemindersQueries;
  readonly levels: readonly number[];
  /** Today's date (UTC): a run's default date, and the latest it and a sending may be dated. */
  readonly today: () => string;
}): RouteSpec[] {
  const { commands, queries, levels, today } = deps;

  const reminderAfterWrite = (result: CommandResult<PaymentRemindersState>, id: string) => {
    const record = result.state.reminders.find((reminder) => reminder.reminderId === id);
    if (!record) throw new Error(`No reminder ${id} in ${result.streamId} after a write`);
    return withoutRevision(reminderDocumentOf(record));
  };

  return [
    defineRoute({
      method: 'post',
      path: '/v1/reminders/runs',
      operationId: 'runPaymentReminders',
      summary: 'Issue the payment reminders due as of a date',
      description:
        'Every invoice issued, not void, with something outstanding as of asOf (payments received on or before it; settled in full by now: none), and at least the days of a level of REMINDER_LEVELS past its due date gets a reminder of the highest level it reached, if it had none of that level or above. Levels passed over are not issued later. A level is issued once per invoice, however often runs repeat or race. The service sends nothing: list the reminders issued with GET /v1/reminders?status=issued, send them, and mark each sent. 201 when the run issued a reminder, 200 when it issued none.',
      tag: 'reminders',
      scopes: ['finance:write'],
      body: z.strictObject({
        asOf: accountingDate
          .optional()
          .describe('The date overdue is judged on; today (UTC) by default, never later'),
      }),
      responses: {
        201: {
          description: 'Reminders issued',
          schema: runResponse,
          headers: ['X-Position'],
        },
        200: {
          description: 'No reminder was due that had not been issued',
          schema: runResponse,
          headers: ['X-Position'],
        },
        400: { description: '`invalid-reminder-run`: asOf is after today' },
      },
      async handle({ body, context }) {
        const run = await commands.run(commandContext(context), {
          asOf: body.asOf ?? today(),
          today: today(),
        });
        return {
          status: run.issued > 0 ? 201 : 200,
          headers: { 'X-Position': run.position.toString() },
          body: {
            asOf: run.asOf,
            levels: levels.map((days, index) => ({ level: index + 1, days })),
            examined: run.examined,
            issued: run.issued,
            reminders: run.reminders.map((record) => withoutRevision(reminderDocumentOf(record))),
            position: run.position.toString(),
          },
        };
      },
    }),

    commandRoute({
      path: '/v1/reminders/{id}/sent',
      operationId: 'markPaymentReminderSent',
      summary: 'Record that the calling service sent a reminder',
      description:
        'The service sends no mail: the caller sends the reminder by its own means and records it here, once. The ETag is the revision of the reminder itself, so a reminder of another level issued since does not fail If-Match.',
      tag: 'reminders',
      scopes: ['finance:write'],
      params: z.strictObject({ id: reminderId }),
      body: z.strictObject({
        sentOn: accountingDate.optional().describe('Defaults to today (UTC); never later'),
        channel: z.enum(reminderChannels),
        reference: text(200, { blank: 'allowed' })
          .default('')
          .describe('Your reference for the sending: a message id, a tracking number'),
      }),
      success: { status: 200, description: 'Marked sent', schema: reminderResponse },
      invalid: "`invalid-reminder-sent`: sentOn is before the reminder's asOf, or after today",
      notFound: 'No such reminder',
      conflict: '`reminder-already-sent`: it was marked sent before',
      async handle({ params, body, context }) {
        const result = await commands.markSent(commandContext(context), {
          type: 'MarkPaymentReminderSent',
          reminderId: params.id,
          sentOn: body.sentOn ?? today(),
          channel: body.channel,
          reference: body.reference,
          today: today(),
        });
        return {
          result,
          location: `/v1/reminders/${encodeURIComponent(params.id)}`,
          body: reminderAfterWrite(result, params.id),
        };
      },
    }),

    listRoute({
      path: '/v1/reminders',
      operationId: 'listPaymentReminders',
      summary: 'Payment reminders, oldest run date first, for the calling service to send',
      tag: 'reminders',
      scopes: READ_SCOPES,
      filters: z.strictObject({
        status: z.enum(['issued', 'sent']).optional().describe('`issued`: not marked sent yet'),
        customerId: recordId.optional(),
        invoiceId: recordId.optional(),
        level: z
          .string()
          .regex(/^[1-9]\d?$/, 'must be a level, a whole number from 1 to 99')
          .optional(),
        asOf: accountingDate.optional().describe('Only the reminders of runs of this date'),
      }),
      readModels: REMINDERS_READ_MODELS,
      item: reminderResponse,
      pageDescription: 'A page of reminders',
      async handle({ query }) {
        const page = await queries.listReminders({
          ...query,
          level: query.level === undefined ? undefined : Number(query.level),
        });
        return { items: page.items.map(withoutRevision), nextCursor: page.nextCursor };
      },
    }),

    recordRoute({
      path: '/v1/reminders/{id}',
      operationId: 'getPaymentReminder',
      summary: 'A payment reminder',
      tag: 'reminders',
      scopes: READ_SCOPES,
      params: z.strictObject({ id: reminderId }),
      readModels: REMINDERS_READ_MODELS,
      response: { description: 'The reminder', schema: reminderResponse },
      notFound: {
        description: 'No such reminder',
        detail: ({ id }) => `Reminder ${id} does not exist`,
      },
      async handle({ params }) {
        const reminder = await queries.getReminder(params.id);
        return reminder && { body: withoutRevision(reminder), revision: reminder.revision };
      },
    }),
  ];
}
