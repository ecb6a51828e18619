/** Payment reminder queries, answered from `reminders_payment_reminders`. */
import type { ReadModelStore, Where } from '../../stores/read-model-store.js';
import type { Page } from '../ledger/ledger-queries.js';
import {
  remindersProjection,
  type ReminderDocument,
  type ReminderStatus,
} from './reminders-projections.js';

export const REMINDERS_READ_MODELS = [remindersProjection.name] as const;

export interface ReminderFilters {
  readonly status?: ReminderStatus;
  readonly customerId?: string;
  readonly invoiceId?: string;
  readonly level?: number;
  readonly asOf?: string;
}

export function createRemindersQueries(deps: {
  readonly readModels: ReadModelStore;
  readonly collection: (projection: string) => Promise<string>;
}) {
  const { readModels, collection } = deps;

  return {
    async getReminder(reminderId: string): Promise<ReminderDocument | undefined> {
      const target = await collection(remindersProjection.name);
      const body = (await readModels.load(target, [reminderId])).get(reminderId)?.body;
      return body ? remindersProjection.document(body) : undefined;
    },

    /** Oldest run date first, so a sender works through them in the order they fell due. */
    async listReminders(
      options: ReminderFilters & { readonly limit: number; readonly cursor?: string },
    ): Promise<Page<ReminderDocument>> {
      const where: Where = {
        ...(options.status !== undefined ? { status: options.status } : {}),
        ...(options.customerId !== undefined ? { customerId: options.customerId } : {}),
        ...(options.invoiceId !== undefined ? { invoiceId: options.invoiceId } : {}),
        ...(options.level !== undefined ? { level: options.level } : {}),
        ...(options.asOf !== undefined ? { asOf: options.asOf } : {}),
      };
      const page = await readModels.find(await collection(remindersProjection.name), {
        where,
        sort: [
          { field: 'asOf', direction: 'asc' },
          { field: 'reminderId', direction: 'asc' },
        ],
        limit: options.limit,
        cursor: options.cursor,
      });
      return {
        items: page.documents.map((document) => remindersProjection.document(document.body)),
        nextCursor: page.nextCursor ?? null,
      };
    },
  };
}

export type RemindersQueries = ReturnType<typeof createRemindersQueries>;
