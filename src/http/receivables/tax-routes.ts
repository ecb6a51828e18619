/** Tax codes, their rates by effective date, and the VAT report. */
import { z } from 'zod';
import type { CommandResult } from '../../commands/command-handler.js';
import type { TaxCodeState } from '../../domain/receivables/tax-code.js';
import { TAX_READ_MODELS } from '../../projections/receivables/tax-queries.js';
import { commandRoute, listRoute, recordRoute, withoutRevision } from '../route-builders.js';
import { commandContext, defineRoute, type RouteSpec } from '../route.js';
import { accountCode, accountingDate, consistencyQuery, text } from '../schemas.js';
import type { ReceivablesRouteDeps } from './receivables-routes.js';
import { READ_SCOPES } from './receivables-schemas.js';

export const taxCodeId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'must be 1-32 letters, digits, ".", "_" or "-"')
  .meta({ example: 'VAT19' });

const rate = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,4})?$/, 'must be a percentage with at most 4 decimals, like "19.00"')
  .meta({ example: '19.00' });

const taxCodeResponse = z.object({
  code: z.string(),
  name: z.string(),
  outputAccount: z.string(),
  currency: z.string().describe("The output account's currency: only invoices in it use the code"),
  rates: z
    .array(
      z.object({
        effectiveFrom: z
          .string()
          .nullable()
          .describe('First day the rate applies; null for the rate the code was created with'),
        rate: z.string(),
      }),
    )
    .describe('In effective order; the last that started on or before a date applies on it'),
});

const vatAmounts = z.object({ base: z.string(), tax: z.string() });

const vatReportResponse = z.object({
  from: z.string(),
  to: z.string(),
  codes: z.array(
    z.object({
      taxCode: z.string(),
      name: z.string().nullable(),
      currency: z.string(),
      outputAccount: z.string(),
      invoiced: vatAmounts.describe('Invoices issued in the range'),
      credited: vatAmounts.describe('Credit notes and voids dated in the range'),
      base: z.string().describe('Taxable base: invoiced − credited'),
      tax: z.string().describe('Tax: invoiced − credited'),
    }),
  ),
  totals: z
    .array(z.object({ currency: z.string(), base: z.string(), tax: z.string() }))
    .describe(
      "Per currency; tax equals the movement of the codes' output accounts in the range (credits − debits) when nothing else is posted to them",
    ),
});

export function taxRoutes(deps: ReceivablesRouteDeps): RouteSpec[] {
  const { commands, taxQueries } = deps;
  const taxCodeUrl = (code: string) => `/v1/tax-codes/${encodeURIComponent(code)}`;

  const taxCodeAnswer = (result: CommandResult<TaxCodeState>, code: string) => {
    if (result.state.status === 'none') throw new Error(`No tax code in ${result.streamId}`);
    const { status: _status, ...taxCode } = result.state;
    return { result, location: taxCodeUrl(code), body: taxCode };
  };

  return [
    commandRoute({
      path: '/v1/tax-codes',
      operationId: 'createTaxCode',
      summary: 'Create a tax code: a rate and the liability account its tax is owed on',
      description:
        'The rate is a percentage from 0 to 100 with at most 4 decimals; it applies from the beginning until a change. The output account must be an open liability account; invoices in its currency only can use the code.',
      tag: 'receivables',
      scopes: ['finance:write'],
      body: z.strictObject({
        code: taxCodeId,
        name: text(200),
        rate,
        outputAccount: accountCode,
      }),
      success: { status: 201, description: 'Created', schema: taxCodeResponse },
      invalid:
        '`invalid-tax-code`: the rate is over 100, or the output account does not exist or is no liability account',
      conflict: 'A tax code with this code exists (`tax-code-already-exists`)',
      async handle({ body, context }) {
        const result = await commands.createTaxCode(commandContext(context), {
          type: 'CreateTaxCode',
          ...body,
        });
        return taxCodeAnswer(result, body.code);
      },
    }),

    commandRoute({
      path: '/v1/tax-codes/{code}/rates',
      operationId: 'changeTaxRate',
      summary: "Change a tax code's rate from an effective date on",
      description:
        'Invoices issued on or after effectiveFrom use the new rate; invoices already issued keep the rate they recorded. The date must be after any earlier change and not in a closed period.',
      tag: 'receivables',
      scopes: ['finance:write'],
      params: z.strictObject({ code: taxCodeId }),
      body: z.strictObject({ rate, effectiveFrom: accountingDate }),
      success: { status: 201, description: 'Changed', schema: taxCodeResponse },
      invalid: '`invalid-tax-rate`: the rate is over 100',
      notFound: 'No such tax code',
      conflict:
        'effectiveFrom is not after the last change (`tax-rate-not-after-last-change`), or in a closed period',
      async handle({ params, body, context }) {
        const result = await commands.changeTaxRate(commandContext(context), {
          type: 'ChangeTaxRate',
          code: params.code,
          ...body,
        });
        return taxCodeAnswer(result, params.code);
      },
    }),

    listRoute({
      path: '/v1/tax-codes',
      operationId: 'listTaxCodes',
      summary: 'Tax codes by code, with their rates by effective date',
      tag: 'receivables',
      scopes: READ_SCOPES,
      readModels: TAX_READ_MODELS.taxCodes,
      item: taxCodeResponse,
      pageDescription: 'A page of tax codes',
      async handle({ query }) {
        const result = await taxQueries.listTaxCodes(query);
        return { items: result.items.map(withoutRevision), nextCursor: result.nextCursor };
      },
    }),

    recordRoute({
      path: '/v1/tax-codes/{code}',
      operationId: 'getTaxCode',
      summary: 'A tax code with its rates by effective date',
      tag: 'receivables',
      scopes: READ_SCOPES,
      params: z.strictObject({ code: taxCodeId }),
      readModels: TAX_READ_MODELS.taxCodes,
      response: { description: 'The tax code', schema: taxCodeResponse },
      notFound: {
        description: 'No such tax code',
        detail: ({ code }) => `Tax code ${code} does not exist`,
      },
      async handle({ params }) {
        const taxCode = await taxQueries.getTaxCode(params.code);
        return taxCode && { body: withoutRevision(taxCode), revision: taxCode.revision };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/v1/reports/vat',
      operationId: 'getVatReport',
      summary: 'VAT report: taxable base and tax per tax code of a range',
      description:
        'Invoices issued from `from` through `to` (both included), less the credit notes and voids dated in the range, per tax code and currency. Each document was posted to the output accounts on the same date, so the tax equals their movement in the range, unless other entries (a payment of the tax to the authority) were posted to them too.',
      tag: 'reports',
      scopes: READ_SCOPES,
      query: consistencyQuery.extend({
        from: accountingDate.describe('First day of the range'),
        to: accountingDate.describe('Last day of the range'),
      }),
      readModels: TAX_READ_MODELS.vat,
      responses: { 200: { description: 'The VAT report', schema: vatReportResponse } },
      async handle({ query }) {
        return { status: 200, body: await taxQueries.vat(query.from, query.to) };
      },
    }),
  ];
}
