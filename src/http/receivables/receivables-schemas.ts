/** The shapes of the receivables routes' requests and answers, shared by their declarations. */
import { z } from 'zod';
import { paymentMethods } from '../../domain/receivables/events.js';
import type { Scope } from '../api-keys.js';
import type { RequestContext } from '../route.js';
import { refusedCharacters, text, TRIMMED, unicode } from '../schemas.js';

/** Who may read receivables. */
export const READ_SCOPES = ['reports:read', 'finance:write'] as const;

/** What the caller's key may read of a customer's personal data. */
export const personalDataReader =
  (mayRead: (scopes: readonly Scope[], subject: string) => boolean) =>
  (context: RequestContext) =>
  (subject: string) =>
    mayRead(context.principal.scopes, subject);

export const billingAddress = z.strictObject({
  line1: text(200),
  line2: text(200, { blank: 'allowed' }).optional(),
  city: text(100),
  postalCode: text(20),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code, like DE')
    .meta({ example: 'DE' }),
});

// Without `\s`: it means other characters in the regex engines that read the document.
export const EMAIL_PART = `[^${TRIMMED}${refusedCharacters('one')}@]+`;
const EMAIL = new RegExp(`^${EMAIL_PART}@${EMAIL_PART}\\.${EMAIL_PART}$`, 'u');
export const email = unicode(254)
  .regex(EMAIL, 'must be an email address')
  .meta({ pattern: EMAIL.source });
export const paymentTermsDays = z
  .number()
  .int()
  .min(0)
  .max(365)
  .describe('Days from issue to due date');

/** What a key that may not read a customer's personal data sees in its place (`reports:read`). */
export const redacted = z
  .object({ redacted: z.literal(true) })
  .describe("Personal data this key may not read (only finance:write and admin read customers')");

/** Personal data: `null` (with `erased: true`) once the customer's data is erased. */
const personal = <T extends z.ZodType>(schema: T, what: string) =>
  z
    .union([schema, redacted])
    .nullable()
    .describe(
      `${what} Personal data: \`{ "redacted": true }\` for a key that may not read it, \`null\` once erased.`,
    );

export const customerResponse = z.object({
  customerId: z.string(),
  name: personal(z.string(), 'Name to bill.'),
  email: personal(z.string(), 'Email address.'),
  billingAddress: personal(billingAddress, 'Billing address.'),
  erased: z.boolean().describe('The personal fields were erased: they are null for good'),
  currency: z.string(),
  paymentTermsDays: z.number().int(),
});

/** Name of the customer in a report row, as `customerResponse.name`. */
export const customerName = personal(z.string(), 'Name of the customer.');

export const customerErasureBody = z.strictObject({
  reason: text(500, { lines: 'many' }),
  legalBasis: text(200).describe('The ground the erasure rests on, e.g. "GDPR Art. 17(1)(a)"'),
});

export const refundResponse = z.object({
  customerId: z.string(),
  refundId: z.string(),
  amount: z.string(),
  currency: z.string(),
  paidOn: z.string(),
  method: z.enum(paymentMethods),
  reference: z.string(),
});

export const taxLine = z.object({
  taxCode: z.string(),
  rate: z.string().describe('Percent, as in effect on the invoice issue date'),
  base: z.string().describe('The sum of the net amounts of the lines at the code'),
  tax: z.string().describe('base × rate, rounded half up once per document'),
  outputAccount: z.string(),
});

export const creditNoteResponse = z.object({
  creditNoteId: z.string(),
  date: z.string(),
  reason: z.string(),
  lines: z.array(
    z.object({
      description: z.string(),
      amount: z.string().describe('Net amount credited'),
      taxCode: z.string().optional(),
      revenueAccount: z.string(),
    }),
  ),
  net: z.string(),
  taxes: z.array(taxLine),
  total: z.string(),
  toCustomerCredit: z
    .string()
    .describe('The part beyond what was unpaid on the invoice: credit of the customer'),
});

export const invoiceResponse = z.object({
  invoiceId: z.string(),
  customerId: z.string(),
  issueDate: z.string(),
  dueDate: z.string(),
  currency: z.string(),
  lines: z.array(
    z.object({
      description: z.string(),
      quantity: z.string(),
      unitPrice: z.string(),
      amount: z.string().describe('quantity × unitPrice, rounded half up to the minor unit'),
      revenueAccount: z.string(),
      taxCode: z.string().optional(),
    }),
  ),
  net: z.string().describe('The sum of the line amounts'),
  taxes: z.array(taxLine).describe('Tax per tax code the lines use'),
  total: z.string().describe('net + the taxes'),
  paid: z.string(),
  credited: z.string().describe('The totals of the credit notes'),
  outstanding: z.string().describe('total − paid − credited, never below zero'),
  status: z
    .enum(['open', 'partially_paid', 'paid', 'credited', 'void'])
    .describe(
      'credited: settled by credit notes alone; paid: settled, in part or whole by payments',
    ),
  overdue: z.boolean().describe('Unsettled and past its due date on the query date'),
  payments: z.array(
    z.object({
      paymentId: z.string(),
      amount: z.string(),
      receivedOn: z.string(),
      method: z.enum(paymentMethods),
      reference: z.string(),
    }),
  ),
  creditNotes: z.array(creditNoteResponse),
  voided: z.object({ voidedOn: z.string(), reason: z.string() }).nullable(),
});

export const agingRow = z.object({
  currency: z.string(),
  buckets: z.object({
    '0-30': z.string(),
    '31-60': z.string(),
    '61-90': z.string(),
    '90+': z.string(),
  }),
  notYetDue: z.string().describe('The part of 0-30 that is not due yet'),
  credit: z
    .string()
    .describe(
      'Credit balance as a negative amount: credit notes beyond what was owed, less refunds',
    ),
  total: z.string().describe('The buckets plus credit'),
});
