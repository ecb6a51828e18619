/**
 * Posts payroll to the general ledger (the accounting is explained in
 * src/domain/people/payroll-run.ts):
 *
 * - `PayrollRunApproved`: the accrual, dated its accrual date: debit salaries and wages with the
 *   total gross, credit payroll liabilities with the total net;
 * - `PayrollRunPaid`: debit payroll liabilities, credit cash, the total net, dated `paidOn`;
 * - `PayrollRunReversed`: the accrual's entry reversed, dated the reversal.
 *
 * Entry ids derive from the source event (`payroll-accrual-<event id>`,
 * `payroll-payment-<event id>`), so an event reacted to twice posts once, and the metadata links
 * each entry to its source as the receivables postings do. A run whose totals are zero (every
 * payslip adjusted down to nothing) books nothing: a journal entry needs an amount.
 */
import type { LedgerCommands } from '../../commands/ledger/ledger-commands.js';
import type { PayrollAccountCodes } from '../../commands/people/people-commands.js';
import { payrollEventSchemas } from '../../domain/people/payroll-events.js';
import { payrollStreams } from '../../domain/people/payroll-streams.js';
import { isDomainError } from '../../domain/shared/errors.js';
import { decodeEventOf } from '../../domain/shared/event-schemas.js';
import { storedMinor } from '../../domain/shared/money.js';
import type { EventStore, RecordedEvent } from '../../stores/event-store.js';
import { reactionContext } from '../reaction-context.js';
import type { Reactor } from '../reactor.js';

export const PAYROLL_POSTINGS_ACTOR = 'system:payroll-postings';

export const accrualEntryId = (approvedEventId: string) => `payroll-accrual-${approvedEventId}`;
export const payrollPaymentEntryId = (paidEventId: string) => `payroll-payment-${paidEventId}`;

export function createPayrollPostingsReactor(deps: {
  readonly ledger: LedgerCommands;
  readonly eventStore: EventStore;
  readonly payrollAccounts: PayrollAccountCodes;
}): Reactor {
  const { ledger, eventStore, payrollAccounts } = deps;

  async function once(command: () => Promise<unknown>, done: string): Promise<void> {
    try {
      await command();
    } catch (error) {
      if (isDomainError(error) && error.refusal.code === done) return;
      throw error;
    }
  }

  const isZero = (amount: string, currency: string) => storedMinor(amount, currency) === 0n;

  return {
    name: 'payroll_ledger_postings',
    eventTypes: ['PayrollRunApproved', 'PayrollRunPaid', 'PayrollRunReversed'],
    emits: ['JournalEntryPosted', 'JournalEntryReversed'],
    async react(recorded: RecordedEvent) {
      const event = decodeEventOf(payrollEventSchemas, recorded);
      const context = reactionContext(PAYROLL_POSTINGS_ACTOR, 'posting', recorded);
      switch (event.type) {
        case 'PayrollRunApproved': {
          const { runId, period, currency, accrualDate, totalGross, totalNet } = event.data;
          if (isZero(totalGross, currency) && isZero(totalNet, currency)) return;
          const accounts = payrollAccounts(currency);
          await once(
            () =>
              ledger.postJournalEntry(context, {
                type: 'PostJournalEntry',
                entryId: accrualEntryId(recorded.id),
                date: accrualDate,
                description: `Payroll ${period} accrued (run ${runId})`,
                lines: [
                  { account: accounts.salaries, debit: totalGross },
                  { account: accounts.liabilities, credit: totalNet },
                ],
              }),
            'JournalEntryAlreadyExists',
          );
          return;
        }
        case 'PayrollRunPaid': {
          const { runId, period, currency, paidOn, totalNet } = event.data;
          if (isZero(totalNet, currency)) return;
          const accounts = payrollAccounts(currency);
          await once(
            () =>
              ledger.postJournalEntry(context, {
                type: 'PostJournalEntry',
                entryId: payrollPaymentEntryId(recorded.id),
                date: paidOn,
                description: `Payroll ${period} paid (run ${runId})`,
                lines: [
                  { account: accounts.liabilities, debit: totalNet },
                  { account: accounts.cash, credit: totalNet },
                ],
              }),
            'JournalEntryAlreadyExists',
          );
          return;
        }
        case 'PayrollRunReversed': {
          const { runId, period, currency, date, reason, totalGross, totalNet } = event.data;
          if (isZero(totalGross, currency) && isZero(totalNet, currency)) return;
          const run = await eventStore.readStream(payrollStreams.run(runId));
          const approved = run.findLast((each) => each.type === 'PayrollRunApproved');
          if (!approved) throw new Error(`Payroll run ${runId} was reversed but never approved`);
          await once(
            () =>
              ledger.reverseJournalEntry(context, {
                type: 'ReverseJournalEntry',
                entryId: accrualEntryId(approved.id),
                date,
                reason: `Payroll ${period} reversed (run ${runId}): ${reason}`,
              }),
            'JournalEntryAlreadyReversed',
          );
          return;
        }
        default:
          return;
      }
    },
  };
}
