import { z } from 'zod';
import { createReminderCandidates } from '../../commands/reminders/reminder-candidates.js';
import {
  createReminderCommands,
  type ReminderCommands,
} from '../../commands/reminders/reminder-commands.js';
import { emptyAsUnset } from '../../config.js';
import { remindersEventSchemas } from '../../domain/reminders/events.js';
import { remindersEventStreams } from '../../domain/reminders/streams.js';
import { remindersProjections } from '../../projections/reminders/reminders-projections.js';
import { createRemindersQueries } from '../../projections/reminders/reminders-queries.js';
import { defineModule } from '../module.js';
import { refusalProblems } from '../problem-types.js';
import { remindersRoutes } from './reminders-routes.js';

export interface RemindersSettings {
  /** REMINDER_LEVELS: the days overdue at which levels 1, 2, ... are reached, ascending. */
  readonly levels: readonly number[];
}

/** More levels than this is a typo, not a dunning policy. */
const MAX_LEVELS = 9;
/** Ten years overdue: beyond it, nobody is reminded of anything. */
const MAX_LEVEL_DAYS = 3650;

export const remindersSettings = z
  .object({
    REMINDER_LEVELS: z.preprocess(
      emptyAsUnset,
      z
        .string()
        .default('7,21,45')
        .transform((text, context) => {
          const parts = text.split(',').map((part) => part.trim());
          const days = parts.map(Number);
          const problem =
            parts.length > MAX_LEVELS
              ? `at most ${MAX_LEVELS} levels`
              : parts.some((part) => !/^\d{1,4}$/.test(part)) ||
                  days.some((day) => day < 1 || day > MAX_LEVEL_DAYS)
                ? `each level is a whole number of days from 1 to ${MAX_LEVEL_DAYS}`
                : days.some((day, index) => index > 0 && day <= days[index - 1]!)
                  ? 'the days must be strictly ascending, level 1 first'
                  : undefined;
          if (problem !== undefined) {
            context.addIssue({
              code: 'custom',
              message: `must be days overdue separated by commas, like 7,21,45: ${problem}`,
            });
            return z.NEVER;
          }
          return days;
        }),
    ),
  })
  .transform((env): RemindersSettings => ({ levels: env.REMINDER_LEVELS }));

/**
 * Payment reminders (dunning) of receivables' invoices: a module of its own that reads the
 * invoices' streams with the receivables decider and writes only its own streams, so it needs
 * nothing of the receivables API and receivables knows nothing of it.
 */
export const remindersModule = defineModule<ReminderCommands, RemindersSettings>({
  name: 'reminders',
  summary:
    'Payment reminders (dunning) of overdue invoices by level, issued once per level by reminder runs as of a date; the service sends no mail, the calling service lists the reminders, sends them and marks them sent.',
  settings: remindersSettings,
  eventSchemas: remindersEventSchemas,
  eventStreams: remindersEventStreams,
  projections: remindersProjections,
  problems: refusalProblems({
    InvalidReminderRun: [
      'invalid',
      'The run date `asOf` is not a date or is after today: a run of a later date would remind before invoices are that far overdue.',
    ],
    InvalidReminderSent: [
      'invalid',
      "`sentOn` is not a date, is before the reminder's `asOf`, or is after today.",
    ],
    ReminderNotFound: ['not_found', 'There is no reminder with this id.'],
    ReminderAlreadySent: [
      'conflict',
      'The reminder was already marked sent; the detail says when and how.',
    ],
  }),
  api(context) {
    return createReminderCommands({
      handle: context.handle,
      readState: context.readState,
      candidates: createReminderCandidates(context.eventStore),
      levels: context.settings.levels,
    });
  },
  routes: (context, commands) =>
    remindersRoutes({
      commands,
      queries: createRemindersQueries(context),
      levels: context.settings.levels,
      today: context.today,
    }),
});
