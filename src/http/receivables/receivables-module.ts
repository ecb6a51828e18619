import { z } from 'zod';
import {
  createReceivablesCommands,
  type PostingAccountCodes,
  type ReceivablesCommands,
} from '../../commands/receivables/receivables-commands.js';
import { emptyAsUnset } from '../../config.js';
import { ACCOUNT_CODE } from '../../domain/ledger/account.js';
import {
  customerPersonalFields,
  receivablesEventSchemas,
  receivablesSchemaVersions,
} from '../../domain/receivables/events.js';
import { receivablesEventStreams, receivablesStreams } from '../../domain/receivables/streams.js';
import { createLedgerPostingsReactor } from '../../projections/receivables/ledger-postings-reactor.js';
import { receivablesProjections } from '../../projections/receivables/receivables-projections.js';
import { createReceivablesQueries } from '../../projections/receivables/receivables-queries.js';
import { createTaxQueries } from '../../projections/receivables/tax-queries.js';
import { ledgerModule, postingProblems } from '../ledger/ledger-module.js';
import { defineModule } from '../module.js';
import { refusalProblems } from '../problem-types.js';
import { receivablesRoutes } from './receivables-routes.js';

export interface ReceivablesSettings {
  /** RECEIVABLE_ACCOUNT: where invoices post their receivable in the base currency. */
  readonly receivableAccount: string;
  /** CASH_ACCOUNT: where payments received post their cash in the base currency. */
  readonly cashAccount: string;
}

const accountCode = z.string().regex(ACCOUNT_CODE, 'must be an account code like 12000');

/** In the base currency the configured codes; in another currency XXX, `<code>-XXX`. */
export function receivablesPostingAccounts(
  settings: ReceivablesSettings,
  baseCurrency: string,
): PostingAccountCodes {
  return (currency) =>
    currency === baseCurrency
      ? { receivable: settings.receivableAccount, cash: settings.cashAccount }
      : {
          receivable: `${settings.receivableAccount}-${currency}`,
          cash: `${settings.cashAccount}-${currency}`,
        };
}

export const receivablesSettings = z
  .object({
    RECEIVABLE_ACCOUNT: z.preprocess(emptyAsUnset, accountCode.default('12000')),
    CASH_ACCOUNT: z.preprocess(emptyAsUnset, accountCode.default('10000')),
  })
  .transform((env): ReceivablesSettings => ({
    receivableAccount: env.RECEIVABLE_ACCOUNT,
    cashAccount: env.CASH_ACCOUNT,
  }));

const subjectOfCustomer = (data: Readonly<Record<string, unknown>>) =>
  receivablesStreams.customer(String(data.customerId));

export const receivablesModule = defineModule<ReceivablesCommands, ReceivablesSettings>({
  name: 'receivables',
  summary:
    "Customers, invoices with tax codes, payments received, credit notes and refunds, posted to the ledger; open balances, AR aging and the VAT report as of any date. Customers' personal data is stored encrypted with a key per customer.",
  settings: receivablesSettings,
  eventSchemas: receivablesEventSchemas,
  schemaVersions: receivablesSchemaVersions,
  eventStreams: receivablesEventStreams,
  personalData: {
    subjectType: 'customer',
    readScope: 'finance:write',
    fields: {
      CustomerRegistered: {
        subject: subjectOfCustomer,
        fields: customerPersonalFields.CustomerRegistered,
      },
      CustomerDetailsChanged: {
        subject: subjectOfCustomer,
        fields: customerPersonalFields.CustomerDetailsChanged,
      },
    },
  },
  projections: receivablesProjections,
  chartAccounts: ({ settings, baseCurrency }) => [
    { code: settings.cashAccount, name: 'Cash at bank', type: 'asset', currency: baseCurrency },
    {
      code: settings.receivableAccount,
      name: 'Accounts receivable',
      type: 'asset',
      currency: baseCurrency,
    },
    { code: '40000', name: 'Sales revenue', type: 'revenue', currency: baseCurrency },
  ],
  // The receivable in every currency adds up to the open invoices (the AR aging's total); cash
  // and revenue are booked against it but are not the receivables' alone.
  controlAccounts: ({ settings }) => [
    {
      code: settings.receivableAccount,
      inEveryCurrency: true,
      correction: 'record a payment, a credit note or a refund, or void the invoice',
    },
  ],
  problems: [
    ...postingProblems,
    ...refusalProblems({
      InvalidCustomer: [
        'invalid',
        'A customer field is out of its rules (email, currency, payment terms); `errors` says which.',
      ],
      CustomerAlreadyExists: ['conflict', 'A customer with this id is already registered.'],
      CustomerNotFound: ['not_found', 'There is no customer with this id.'],
      InvalidInvoice: [
        'invalid',
        'The customer does not exist, the currency differs from the customer currency, a date is wrong, or a line is (quantity, unit price, revenue account); `errors` says which.',
      ],
      InvoiceAlreadyExists: ['conflict', 'An invoice with this id was already issued.'],
      InvoiceNotFound: ['not_found', 'There is no invoice with this id.'],
      InvalidPayment: [
        'invalid',
        'The amount, currency or date of the payment is wrong (not positive, another currency, before the issue date).',
      ],
      InvoiceVoid: ['conflict', 'The invoice is void; it takes no payments.'],
      InvoiceAlreadyPaid: ['conflict', 'The invoice is paid in full.'],
      PaymentExceedsOutstanding: [
        'conflict',
        'The payment is larger than what is outstanding on the invoice; overpayments are refused.',
      ],
      PaymentAlreadyRecorded: ['conflict', 'A payment with this id is already on the invoice.'],
      InvalidVoid: [
        'invalid',
        "The void date is not a date, or is before the invoice's issue date.",
      ],
      InvoiceAlreadyVoid: ['conflict', 'The invoice is already void.'],
      InvoiceHasPayments: [
        'conflict',
        'The invoice has payments; only an unpaid invoice can be voided.',
      ],
      InvoiceHasCreditNotes: [
        'conflict',
        'The invoice has credit notes; a void would reverse its whole posting while theirs stay. Credit the rest of it instead.',
      ],
      InvalidCreditNote: [
        'invalid',
        "A line of the credit note is wrong (amount, a tax code the invoice has no lines at, a revenue account it did not post to or one to name among several), or its date is before the invoice's issue date; `errors` says which.",
      ],
      CreditNoteAlreadyRecorded: [
        'conflict',
        'A credit note with this id is already on the invoice.',
      ],
      CreditExceedsInvoice: [
        'conflict',
        'The credit note takes back more from a revenue account and tax code than the invoice billed there less its earlier credit notes; the detail says how much is left.',
      ],
      InvalidRefund: ['invalid', 'The amount or date of the refund is wrong.'],
      RefundAlreadyRecorded: [
        'conflict',
        'A refund with this id is already recorded for the customer.',
      ],
      RefundExceedsCredit: [
        'conflict',
        "The refund is more than the customer's credit balance as of its date, less the refunds already recorded.",
      ],
      InvalidTaxCode: [
        'invalid',
        'The rate is not a percentage from 0 to 100 with at most 4 decimals, or the output account does not exist or is no liability account.',
      ],
      TaxCodeAlreadyExists: [
        'conflict',
        'A tax code with this code exists; change its rate with an effective date instead.',
      ],
      TaxCodeNotFound: ['not_found', 'There is no tax code with this code.'],
      InvalidTaxRate: ['invalid', 'The rate or the effective date is wrong.'],
      TaxRateNotAfterLastChange: [
        'conflict',
        "A tax code's rates only extend forward: the new rate must take effect after the last change.",
      ],
      InvalidErasure: ['invalid', 'The reason or legal basis of the erasure is blank.'],
      // Shared with the people module's employees: one meaning, one problem type.
      PersonalDataAlreadyErased: ['conflict', "The person's data was already erased."],
      CustomerErased: [
        'conflict',
        "The customer's personal data was erased: no name, email or billing address can be recorded for them again, and no invoice issued to them. Payment terms may still change.",
      ],
      CustomerHasOutstandingInvoices: [
        'conflict',
        'The customer has invoices issued and neither paid in full nor void; the detail names them. Erase once they are settled.',
      ],
      PersonalDataInPlainText: [
        'conflict',
        "The customer's history holds personal data stored in plain text (events of schema version 1, written before customers' personal data was encrypted). Events are immutable, so that data cannot be shredded by destroying a key: the erasure is refused rather than claimed. The detail names the events.",
      ],
    }),
  ],
  api(context) {
    return createReceivablesCommands({
      handle: context.handle,
      readState: context.readState,
      postingRules: context.use(ledgerModule).postingRules,
      postingAccounts: receivablesPostingAccounts(context.settings, context.config.baseCurrency),
      eventStore: context.eventStore,
      personalData: context.personalData,
      clock: context.clock,
    });
  },
  reactors: (context) => [
    createLedgerPostingsReactor({
      ledger: context.use(ledgerModule).commands.forSubledger('receivables'),
      eventStore: context.eventStore,
      postingAccounts: receivablesPostingAccounts(context.settings, context.config.baseCurrency),
    }),
  ],
  routes: (context, commands) =>
    receivablesRoutes({
      commands,
      queries: createReceivablesQueries({
        readModels: context.readModels,
        collection: context.collection,
        personalData: context.personalData,
      }),
      taxQueries: createTaxQueries({
        readModels: context.readModels,
        collection: context.collection,
      }),
      mayReadPersonalData: context.mayReadPersonalData,
      ids: context.ids,
      today: context.today,
    }),
});
