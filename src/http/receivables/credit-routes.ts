/** Credit notes on invoices and refunds of a customer's credit balance. */
import { z } from 'zod';
import type { CommandResult } from '../../commands/command-handler.js';
import { paymentMethods } from '../../domain/receivables/events.js';
import type { InvoiceState } from '../../domain/receivables/invoice.js';
import { commandRoute, newRecordId } from '../route-builders.js';
import { commandContext, type RouteSpec } from '../route.js';
import { accountCode, accountingDate, decimalAmount, recordId, text } from '../schemas.js';
import type { ReceivablesRouteDeps } from './receivables-routes.js';
import { invoiceResponse, refundResponse } from './receivables-schemas.js';
import { taxCodeId } from './tax-routes.js';

export function creditRoutes(
  deps: ReceivablesRouteDeps & {
    readonly invoiceAnswer: (
      result: CommandResult<InvoiceState>,
      invoiceId: string,
    ) => { result: CommandResult<InvoiceState>; location: string; body: Record<string, unknown> };
  },
): RouteSpec[] {
  const { commands, ids, invoiceAnswer } = deps;

  return [
    commandRoute({
      path: '/v1/invoices/{id}/credit-notes',
      operationId: 'issueCreditNote',
      summary: 'Credit part or all of an issued invoice',
      description:
        "Each line takes back a net amount from one of the invoice's tax codes (or its untaxed lines) and revenue accounts, by default the one the invoice's lines at that code went to; tax is added at the rate the invoice recorded, rounded half up once per credit note, and the credit note that credits the rest of a code takes the rest of its tax. No revenue account and code is credited beyond what the invoice billed there less earlier credit notes (409). The posting is the mirror of the invoice's for the credited amounts. What exceeds the amount still unpaid becomes the customer's credit balance (toCustomerCredit), shown on the customer and in aging as a negative amount, and paid out by a refund.",
      tag: 'receivables',
      scopes: ['finance:write'],
      params: z.strictObject({ id: recordId }),
      body: z.strictObject({
        creditNoteId: recordId
          .optional()
          .describe('Your credit note number; generated when absent'),
        date: accountingDate,
        reason: text(500, { lines: 'many' }),
        lines: z
          .array(
            z.strictObject({
              description: text(500, { lines: 'many' }),
              amount: decimalAmount.describe('Net amount credited, before tax'),
              taxCode: taxCodeId.optional().describe("One of the invoice's tax codes"),
              revenueAccount: accountCode
                .optional()
                .describe("One of the invoice's revenue accounts at the line's tax code"),
            }),
          )
          .min(1)
          .max(200),
      }),
      success: { status: 201, description: 'Credited', schema: invoiceResponse },
      invalid:
        "`invalid-credit-note`: the date is before the invoice's issue date; an amount has more decimals than the currency allows; the invoice has no lines at a tax code, or its lines there went to several revenue accounts and none is named",
      notFound: 'No such invoice',
      conflict:
        'More than is left to credit (`credit-exceeds-invoice`), the invoice is void, the credit note id is taken, or the date is in a closed period',
      async handle({ params, body, context }) {
        const result = await commands.issueCreditNote(commandContext(context), {
          type: 'IssueCreditNote',
          invoiceId: params.id,
          creditNoteId: newRecordId(ids, 'credit-note', body.creditNoteId, context),
          date: body.date,
          reason: body.reason,
          lines: body.lines,
        });
        return invoiceAnswer(result, params.id);
      },
    }),

    commandRoute({
      path: '/v1/customers/{id}/refunds',
      operationId: 'refundCustomer',
      summary: "Pay out part or all of a customer's credit balance",
      description:
        "Debits the receivable and credits cash. The amount may not exceed the customer's credit balance as of paidOn (credit notes and payments dated by then) less every refund already recorded (409).",
      tag: 'receivables',
      scopes: ['finance:write'],
      params: z.strictObject({ id: recordId }),
      body: z.strictObject({
        refundId: recordId.optional().describe('Your id for the refund; generated when absent'),
        amount: decimalAmount,
        paidOn: accountingDate,
        method: z.enum(paymentMethods),
        reference: text(200, { blank: 'allowed' }).default(''),
      }),
      success: { status: 201, description: 'Refunded', schema: refundResponse },
      invalid: '`invalid-refund`: the amount has more decimals than the currency allows',
      notFound: 'No such customer',
      conflict:
        'More than the credit balance (`refund-exceeds-credit`), the refund id is taken, or paidOn is in a closed period',
      async handle({ params, body, context }) {
        const refundId = newRecordId(ids, 'refund', body.refundId, context);
        const result = await commands.refundCustomer(commandContext(context), {
          type: 'RefundCustomer',
          customerId: params.id,
          refundId,
          amount: body.amount,
          paidOn: body.paidOn,
          method: body.method,
          reference: body.reference,
        });
        const { state } = result;
        const refund = state.status === 'active' ? state.refunds.get(refundId) : undefined;
        if (state.status !== 'active' || refund === undefined) {
          throw new Error(`Refund ${refundId} missing after a write`);
        }
        return {
          result,
          location: `/v1/customers/${encodeURIComponent(params.id)}`,
          body: {
            customerId: state.customerId,
            refundId,
            amount: refund.amount,
            currency: state.currency,
            paidOn: refund.paidOn,
            method: refund.method,
            reference: refund.reference,
          },
        };
      },
    }),
  ];
}
