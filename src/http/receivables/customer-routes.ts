/** Customers' routes: register, change, erase, and the queries. */
import { z } from 'zod';
import type { CommandResult } from '../../commands/command-handler.js';
import type { CustomerState } from '../../domain/receivables/customer.js';
import { receivablesStreams } from '../../domain/receivables/streams.js';
import { RECEIVABLES_READ_MODELS } from '../../projections/receivables/receivables-queries.js';
import { commandRoute, listRoute, recordRoute, withoutRevision } from '../route-builders.js';
import { commandContext, type RouteSpec } from '../route.js';
import { currencyCode, recordId, text } from '../schemas.js';
import type { ReceivablesRouteDeps } from './receivables-routes.js';
import {
  billingAddress,
  customerErasureBody,
  customerResponse,
  email,
  refundResponse,
  paymentTermsDays,
  personalDataReader,
  READ_SCOPES,
} from './receivables-schemas.js';

export function customerRoutes(deps: ReceivablesRouteDeps): RouteSpec[] {
  const { commands, queries, mayReadPersonalData } = deps;
  const readerOf = personalDataReader(mayReadPersonalData);
  const customerUrl = (customerId: string) => `/v1/customers/${encodeURIComponent(customerId)}`;

  /**
   * The customer right after a write, from the state the command folded (personal fields
   * opened: only keys that may read them write). The remembered answer of an Idempotency-Key is
   * sealed with the customer's key, so a replay after the erasure shows nothing of them.
   */
  const customerAnswer = (result: CommandResult<CustomerState>, customerId: string) => {
    const { state } = result;
    if (state.status === 'none') throw new Error('Customer missing after a write');
    const { status: _status, refunds: _refunds, refundedMinor: _refunded, ...customer } = state;
    return {
      result,
      location: customerUrl(customerId),
      // Once erased there is nothing personal to seal (and no key to seal it with).
      ...(state.erased ? {} : { personalDataOf: receivablesStreams.customer(customerId) }),
      body: customer,
    };
  };

  const customerWithBalance = customerResponse.extend({
    openBalance: z
      .string()
      .describe(
        "Issued less paid and credited, plus refunds (void invoices left out): the customer's share of the receivable account, negative while they are owed money",
      ),
    creditBalance: z
      .string()
      .describe('Credit notes beyond what was unpaid, less refunds: what a refund may pay out'),
    refunds: z.array(refundResponse.omit({ customerId: true, currency: true })),
  });

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
  ];
}
