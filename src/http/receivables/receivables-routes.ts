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
import type { CustomerState } from '../../domain/receivables/customer.js';
import { receivablesStreams } from '../../domain/receivables/streams.js';
import type { Scope } from '../api-keys.js';
import { commandRoute, listRoute, recordRoute, withoutRevision } from '../route-builders.js';
import {
  agingRow,
  billingAddress,
  customerErasureBody,
  customerName,
  customerResponse,
  email,
  invoiceResponse,
  paymentTermsDays,
} from './receivables-schemas.js';
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

const READ_SCOPES = ['reports:read', 'finance:write'] as const;

export interface ReceivablesRouteDeps {
  readonly commands: ReceivablesCommands;
  readonly queries: ReceivablesQueries;
  readonly ids: IdGenerator;
  /** Today's date (UTC): what "overdue" and default dates are measured against. */
  readonly today: () => string;
  /** Whether a key with `scopes` may read the personal data of `subject` (`customer-C1`). */
  readonly mayReadPersonalData: (scopes: readonly Scope[], subject: string) => boolean;
}

export function receivablesRoutes(deps: ReceivablesRouteDeps): RouteSpec[] {
  const { commands, queries, ids, today, mayReadPersonalData } = deps;

  /** What the caller's key may read of a customer's personal data. */
  const readerOf = (context: RequestContext) => (subject: string) =>
    mayReadPersonalData(context.principal.scopes, subject);

  /** The caller's id, or one derived from its Idempotency-Key, or a new one. */
  const idFor = (kind: string, given: string | undefined, context: RequestContext) =>
    given ??
    (context.idempotencyKey
      ? ids.derived(kind, context.principal.id, context.idempotencyKey)
      : ids.random());

  /**
   * The customer right after a write, from the state the command folded (personal fields
   * opened: only keys that may read them write). The remembered answer of an Idempotency-Key is
   * sealed with the customer's key, so a replay after the erasure shows nothing of them.
   */
  const customerAnswer = (result: CommandResult<CustomerState>, customerId: string) => {
    const { state } = result;
    if (state.status === 'none') throw new Error('Customer missing after a write');
    const { status: _status, ...customer } = state;
    return {
      result,
      location: customerUrl(customerId),
      // Once erased there is nothing personal to seal (and no key to seal it with).
      ...(state.erased ? {} : { personalDataOf: receivablesStreams.customer(customerId) }),
      body: customer,
    };
  };

  /** The invoice right after a write, from its state: the document its projection will hold. */
  const invoiceAfterWrite = (result: CommandResult<InvoiceState>) => {
    if (result.state.status === 'none') {
      throw new Error(`No invoice in ${result.streamId} after a write`);
    }
    return invoiceView(invoiceDocumentOf(result.state, result.revision), today());
  };

  const invoiceUrl = (invoiceId: string) => `/v1/invoices/${encodeURIComponent(invoiceId)}`;
  const customerUrl = (customerId: string) => `/v1/customers/${encodeURIComponent(customerId)}`;
  const invoiceAnswer = (result: CommandResult<InvoiceState>, invoiceId: string) => ({
    result,
    location: invoiceUrl(invoiceId),
    body: withoutRevision(invoiceAfterWrite(result)),
  });
  const customerWithBalance = customerResponse.extend({ openBalance: z.string() });

  return [
    commandRoute({
      path: '/v1/customers',
      operationId: 'registerCustomer',
      summary: 'Register a customer',
      tag: 'receivables',
      scopes: ['finance:write'],
      body: z.strictObject({
        customerId: recordId,
        name: text(200),
        email,
        billingAddress,
        currency: currencyCode,
        paymentTermsDays,
      }),
      success: { status: 201, description: 'Registered', schema: customerResponse },
      conflict: 'A customer with this id exists',
      async handle({ body, context }) {
        const result = await commands.registerCustomer(commandContext(context), {
          type: 'RegisterCustomer',
          ...body,
        });
        return customerAnswer(result, body.customerId);
      },
    }),

    commandRoute({
      path: '/v1/customers/{id}/changes',
      operationId: 'changeCustomerDetails',
      summary: "Change a customer's contact details or payment terms",
      description: 'Give only what changes. Values equal to the current ones change nothing.',
      tag: 'receivables',
      scopes: ['finance:write'],
      params: z.strictObject({ id: recordId }),
      body: z
        .strictObject({
          name: text(200).optional(),
          email: email.optional(),
          billingAddress: billingAddress.optional(),
          paymentTermsDays: paymentTermsDays.optional(),
        })
        .refine((body) => Object.keys(body).length > 0, 'give at least one field to change')
        .meta({ minProperties: 1 }),
      success: { status: 200, description: 'Changed', schema: customerResponse },
      notFound: 'No such customer',
      async handle({ params, body, context }) {
        const result = await commands.changeCustomerDetails(commandContext(context), {
          type: 'ChangeCustomerDetails',
          customerId: params.id,
          ...body,
        });
        return customerAnswer(result, params.id);
      },
    }),

    commandRoute({
      path: '/v1/customers/{id}/erasure',
      operationId: 'eraseCustomerPersonalData',
      summary: "Erase a customer's personal data (crypto-shredding)",
      description:
        "Destroys the customer's key, then records CustomerPersonalDataErased (which holds no personal data). From then on name, email and billingAddress read as null with erased: true everywhere, the audit trail, reports and remembered answers included; currency, payment terms, invoices, payments and postings stay, invoices still list and sum, and the log still verifies. Refused while an invoice of the customer is outstanding, and for a customer whose history holds personal data in plain text (written before it was encrypted: events are immutable, so it cannot be shredded).",
      tag: 'receivables',
      scopes: ['admin'],
      params: z.strictObject({ id: recordId }),
      body: customerErasureBody,
      success: { status: 200, description: 'Erased', schema: customerResponse },
      notFound: 'No such customer',
      conflict:
        'Already erased (`personal-data-already-erased`); invoices outstanding (`customer-has-outstanding-invoices`); personal data in plain text in the history (`personal-data-in-plain-text`)',
      async handle({ params, body, context }) {
        const result = await commands.eraseCustomerPersonalData(commandContext(context), {
          type: 'EraseCustomerPersonalData',
          customerId: params.id,
          ...body,
        });
        return customerAnswer(result, params.id);
      },
    }),

    listRoute({
      path: '/v1/customers',
      operationId: 'listCustomers',
      summary: 'Customers by id, with their open balances',
      tag: 'receivables',
      scopes: READ_SCOPES,
      readModels: RECEIVABLES_READ_MODELS.customers,
      item: customerWithBalance,
      pageDescription: 'A page of customers',
      async handle({ query, context }) {
        const result = await queries.listCustomers(query, readerOf(context));
        return { items: result.items.map(withoutRevision), nextCursor: result.nextCursor };
      },
    }),

    recordRoute({
      path: '/v1/customers/{id}',
      operationId: 'getCustomer',
      summary: 'A customer with its open balance (issued minus paid, void invoices excluded)',
      tag: 'receivables',
      scopes: READ_SCOPES,
      params: z.strictObject({ id: recordId }),
      readModels: RECEIVABLES_READ_MODELS.customers,
      response: { description: 'The customer', schema: customerWithBalance },
      notFound: {
        description: 'No such customer',
        detail: ({ id }) => `Customer ${id} does not exist`,
      },
      async handle({ params, context }) {
        const customer = await queries.getCustomer(params.id, readerOf(context));
        return customer && { body: withoutRevision(customer), revision: customer.revision };
      },
    }),

    commandRoute({
      path: '/v1/invoices',
      operationId: 'issueInvoice',
      summary: 'Issue an invoice to a customer',
      description:
        'Each line amount is quantity × unitPrice rounded half up to the currency minor unit; the total is the sum of the line amounts. dueDate defaults to issueDate plus the customer payment terms; currency to the customer currency, which it must equal.',
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
            }),
          )
          .min(1)
          .max(200),
      }),
      success: { status: 201, description: 'Issued', schema: invoiceResponse },
      invalid:
        '`invalid-invoice`: the customer does not exist; the currency is not the customer currency; dueDate is before issueDate, or issueDate plus the payment terms is past 9999-12-31; a revenue account does not exist, is no revenue account or is kept in another currency; a unit price has more decimals than the currency allows; a line rounds to zero; the total is too large',
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
      conflict: 'Already void, has payments, or the date is in a closed period',
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
        status: z.enum(['open', 'partially_paid', 'paid', 'void', 'overdue']).optional(),
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
