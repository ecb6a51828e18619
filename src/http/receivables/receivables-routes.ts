import { z } from 'zod';
import { paymentMethods } from '../../domain/receivables/events.js';
import type { IdGenerator } from '../../commands/ids.js';
import type { CommandResult } from '../../commands/command-handler.js';
import type { ReceivablesCommands } from '../../commands/receivables/receivables-commands.js';
import { invoiceDocumentOf } from '../../projections/receivables/receivables-projections.js';
import type { InvoiceState } from '../../domain/receivables/invoice.js';
import {
  invoiceView,
  RECEIVABLES_READ_MODELS,
  type ReceivablesQueries,
} from '../../projections/receivables/receivables-queries.js';
import type { TaxQueries } from '../../projections/receivables/tax-queries.js';
import type { Scope } from '../api-keys.js';
import {
  commandRoute,
  listRoute,
  recordRoute,
  withoutRevision,
  newRecordId,
} from '../route-builders.js';
import {
  agingRow,
  customerName,
  invoiceResponse,
  personalDataReader,
  READ_SCOPES,
} from './receivables-schemas.js';
import { customerRoutes } from './customer-routes.js';
import { creditRoutes } from './credit-routes.js';
import { taxCodeId, taxRoutes } from './tax-routes.js';
import { commandContext, defineRoute, type RequestContext, type RouteSpec } from '../route.js';
import {
  accountCode,
  accountingDate,
  consistencyQuery,
  currencyCode,
  decimalAmount,
  recordId,
  text,
} from '../schemas.js';

export interface ReceivablesRouteDeps {
  readonly commands: ReceivablesCommands;
  readonly queries: ReceivablesQueries;
  readonly taxQueries: TaxQueries;
  readonly ids: IdGenerator;
  /** Today's date (UTC): what "overdue" and default dates are measured against. */
  readonly today: () => string;
  /** Whether a key with `scopes` may read the personal data of `subject` (`customer-C1`). */
  readonly mayReadPersonalData: (scopes: readonly Scope[], subject: string) => boolean;
}

export function receivablesRoutes(deps: ReceivablesRouteDeps): RouteSpec[] {
  const { commands, queries, ids, today, mayReadPersonalData } = deps;

  const readerOf = personalDataReader(mayReadPersonalData);

  const idFor = (kind: string, given: string | undefined, context: RequestContext) =>
    newRecordId(ids, kind, given, context);

  /** The invoice right after a write, from its state: the document its projection will hold. */
  const invoiceAfterWrite = (result: CommandResult<InvoiceState>) => {
    if (result.state.status === 'none') {
      throw new Error(`No invoice in ${result.streamId} after a write`);
    }
    return invoiceView(invoiceDocumentOf(result.state, result.revision), today());
  };

  const invoiceUrl = (invoiceId: string) => `/v1/invoices/${encodeURIComponent(invoiceId)}`;
  const invoiceAnswer = (result: CommandResult<InvoiceState>, invoiceId: string) => ({
    result,
    location: invoiceUrl(invoiceId),
    body: withoutRevision(invoiceAfterWrite(result)),
  });

  return [
    ...customerRoutes(deps),
    ...taxRoutes(deps),
    ...creditRoutes({ ...deps, invoiceAnswer }),

    commandRoute({
      path: '/v1/invoices',
      operationId: 'issueInvoice',
      summary: 'Issue an invoice to a customer',
      description:
        'Each line amount is quantity × unitPrice rounded half up to the currency minor unit; net is the sum of the line amounts. Lines with a taxCode are taxed at its rate in effect on the issue date: per code, the base (the sum of its lines) × rate, rounded half up once per invoice; total = net + the taxes. dueDate defaults to issueDate plus the customer payment terms; currency to the customer currency, which it must equal.',
      tag: 'receivables',
      scopes: ['finance:write'],
      body: z.strictObject({
        invoiceId: recordId.optional().describe('Your invoice number; generated when absent'),
        customerId: recordId,
        issueDate: accountingDate,
        dueDate: accountingDate.optional(),
        currency: currencyCode.optional(),
        lines: z
          .array(
            z.strictObject({
              description: text(500, { lines: 'many' }),
              quantity: z
                .string()
                .regex(
                  /^(?=[\d.]*[1-9])\d{1,9}(\.\d{1,3})?$/,
                  'must be a positive decimal string with at most 3 decimals',
                )
                .meta({ example: '2.5' }),
              unitPrice: decimalAmount,
              revenueAccount: accountCode,
              taxCode: taxCodeId.optional().describe('Taxed at this code; untaxed without'),
            }),
          )
          .min(1)
          .max(200),
      }),
      success: { status: 201, description: 'Issued', schema: invoiceResponse },
      invalid:
        '`invalid-invoice`: the customer does not exist; the currency is not the customer currency; dueDate is before issueDate, or issueDate plus the payment terms is past 9999-12-31; a revenue account does not exist, is no revenue account or is kept in another currency; a unit price has more decimals than the currency allows; a line rounds to zero; a tax code does not exist or is owed in another currency; the total is too large',
      conflict: 'Invoice id taken, or the issue date is in a closed period',
      async handle({ body, context }) {
        const invoiceId =
          body.invoiceId ??
          `INV-${body.issueDate.slice(0, 4)}-${idFor('invoice', undefined, context)
            .replaceAll('-', '')
            .slice(0, 16)
            .toUpperCase()}`;
        const result = await commands.issueInvoice(commandContext(context), {
          type: 'IssueInvoice',
          ...body,
          invoiceId,
        });
        return invoiceAnswer(result, invoiceId);
      },
    }),

    commandRoute({
      path: '/v1/invoices/{id}/payments',
      operationId: 'recordPayment',
      summary: 'Record a payment received against an invoice',
      description:
        'Partial payments are allowed; a payment above the outstanding amount is refused (409), as is one in another currency (400).',
      tag: 'receivables',
      scopes: ['finance:write'],
      params: z.strictObject({ id: recordId }),
      body: z.strictObject({
        paymentId: recordId.optional().describe('Your id for the payment; generated when absent'),
        amount: decimalAmount,
        currency: currencyCode.optional(),
        receivedOn: accountingDate,
        method: z.enum(paymentMethods),
        reference: text(200, { blank: 'allowed' }).default(''),
      }),
      success: { status: 201, description: 'Recorded', schema: invoiceResponse },
      invalid:
        "`invalid-payment`: the currency is not the invoice currency, the amount has more decimals than it allows, or receivedOn is before the invoice's issue date",
      notFound: 'No such invoice',
      conflict: 'Overpayment, invoice void or paid, payment id taken, period closed',
      async handle({ params, body, context }) {
        const result = await commands.recordPayment(commandContext(context), {
          type: 'RecordPayment',
          invoiceId: params.id,
          paymentId: idFor('payment', body.paymentId, context),
          amount: body.amount,
          currency: body.currency,
          receivedOn: body.receivedOn,
          method: body.method,
          reference: body.reference,
        });
        return invoiceAnswer(result, params.id);
      },
    }),

    commandRoute({
      path: '/v1/invoices/{id}/void',
      operationId: 'voidInvoice',
      summary: 'Void an invoice that has no payments',
      tag: 'receivables',
      scopes: ['finance:write'],
      params: z.strictObject({ id: recordId }),
      body: z.strictObject({
        reason: text(500, { lines: 'many' }),
        voidedOn: accountingDate.optional().describe('Defaults to today (UTC)'),
      }),
      success: { status: 200, description: 'Voided', schema: invoiceResponse },
      invalid: "`invalid-void`: voidedOn (today by default) is before the invoice's issue date",
      notFound: 'No such invoice',
      conflict: 'Already void, has payments or credit notes, or the date is in a closed period',
      async handle({ params, body, context }) {
        const result = await commands.voidInvoice(commandContext(context), {
          type: 'VoidInvoice',
          invoiceId: params.id,
          voidedOn: body.voidedOn ?? today(),
          reason: body.reason,
        });
        return invoiceAnswer(result, params.id);
      },
    }),

    listRoute({
      path: '/v1/invoices',
      operationId: 'listInvoices',
      summary: 'Invoices by issue date, filtered by status, customer and dates',
      tag: 'receivables',
      scopes: READ_SCOPES,
      filters: z.strictObject({
        status: z
          .enum(['open', 'partially_paid', 'paid', 'credited', 'void', 'overdue'])
          .optional(),
        customerId: recordId.optional(),
        issuedFrom: accountingDate.optional(),
        issuedTo: accountingDate.optional(),
        dueFrom: accountingDate.optional(),
        dueTo: accountingDate.optional(),
        asOf: accountingDate
          .optional()
          .describe('The date "overdue" is judged on; today by default'),
      }),
      readModels: RECEIVABLES_READ_MODELS.invoices,
      item: invoiceResponse,
      pageDescription: 'A page of invoices',
      async handle({ query }) {
        const result = await queries.listInvoices({ ...query, today: query.asOf ?? today() });
        return { items: result.items.map(withoutRevision), nextCursor: result.nextCursor };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/v1/reports/ar-aging',
      operationId: 'getArAging',
      summary: 'Accounts receivable aging: open amounts per customer by days past due',
      description:
        'Invoices issued by asOf, less payments received by then, leaving out invoices voided by then; each open amount goes to 0-30 (including not yet due), 31-60, 61-90 or 90+ days past its due date. Totals per currency equal the receivable accounts on that date.',
      tag: 'reports',
      scopes: READ_SCOPES,
      query: consistencyQuery.extend({
        asOf: accountingDate.optional().describe('Today (UTC) by default'),
      }),
      readModels: RECEIVABLES_READ_MODELS.aging,
      responses: {
        200: {
          description: 'The aging report',
          schema: z.object({
            asOf: z.string(),
            customers: z.array(agingRow.extend({ customerId: z.string(), name: customerName })),
            totals: z.array(agingRow),
          }),
        },
      },
      async handle({ query, context }) {
        return {
          status: 200,
          body: await queries.aging(query.asOf ?? today(), readerOf(context)),
        };
      },
    }),

    recordRoute({
      path: '/v1/invoices/{id}',
      operationId: 'getInvoice',
      summary: 'An invoice with its lines, paid and outstanding amounts and payment history',
      tag: 'receivables',
      scopes: READ_SCOPES,
      params: z.strictObject({ id: recordId }),
      query: z.strictObject({
        asOf: accountingDate
          .optional()
          .describe('The date "overdue" is judged on; today by default'),
      }),
      readModels: RECEIVABLES_READ_MODELS.invoices,
      response: { description: 'The invoice', schema: invoiceResponse },
      notFound: {
        description: 'No such invoice',
        detail: ({ id }) => `Invoice ${id} does not exist`,
      },
      async handle({ params, query }) {
        const invoice = await queries.getInvoice(params.id, query.asOf ?? today());
        return invoice && { body: withoutRevision(invoice), revision: invoice.revision };
      },
    }),
  ];
}
