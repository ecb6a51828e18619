import { z } from 'zod';

/**
 * Accounts receivable events as the commands read them. Amounts are decimal strings in the
 * invoice currency, like the ledger's, so a stored event reads the same to an auditor as to the
 * code. The customer's personal fields (name, email, billing address) are stored sealed with a
 * key of the customer (see `customerPersonalFields`) and read back opened, or as `null` once the
 * customer's key is erased, so these schemas accept `null` for them; the decider never writes
 * `null`. The stored form, at each schema version, is `upcast.ts`'s.
 */
const personal = (text: string) =>
  z
    .string()
    .nullable()
    .describe(`${text} Personal data: \`null\` once the customer's data is erased.`);

const billingAddress = z.strictObject({
  line1: z.string().describe('First line of the address.'),
  line2: z.string().optional().describe('Second line, when there is one.'),
  city: z.string().describe('City.'),
  postalCode: z.string().describe('Postal code.'),
  country: z.string().describe('Country.'),
});
export type BillingAddress = z.infer<typeof billingAddress>;

const invoiceLine = z.strictObject({
  description: z.string().describe('What the line bills, as the caller wrote it.'),
  quantity: z.string().describe('Positive decimal string with at most three decimals.'),
  unitPrice: z.string().describe('Decimal string in the invoice currency.'),
  // The rounding rule is pricing.ts's.
  amount: z
    .string()
    .describe("quantity × unitPrice, rounded half up to the currency's minor unit."),
  revenueAccount: z.string().describe('Code of the revenue account the line is posted to.'),
  taxCode: z.string().optional().describe('The tax code the line is taxed at; untaxed without.'),
});
export type InvoiceLine = z.infer<typeof invoiceLine>;

const taxLine = z.strictObject({
  taxCode: z.string().describe('The tax code.'),
  rate: z.string().describe('Percent in effect on the document date, e.g. "19.00".'),
  base: z.string().describe("The sum of the net amounts of the document's lines at the code."),
  tax: z
    .string()
    .describe(
      'base × rate, rounded half up once per document (a credit note takes what is left when it credits the rest of the base).',
    ),
  outputAccount: z.string().describe('The liability account the tax is posted to.'),
});
export type TaxLine = z.infer<typeof taxLine>;

const creditLine = z.strictObject({
  description: z.string().describe('What the line credits, as the caller wrote it.'),
  amount: z.string().describe('Net amount credited, a positive decimal string.'),
  taxCode: z.string().optional().describe("One of the invoice's tax codes; untaxed without."),
  revenueAccount: z.string().describe('The revenue account the amount is taken back from.'),
});
export type CreditLine = z.infer<typeof creditLine>;

export const paymentMethods = [
  'bank_transfer',
  'card',
  'cash',
  'cheque',
  'direct_debit',
  'other',
] as const;
export type PaymentMethod = (typeof paymentMethods)[number];

export const receivablesEventSchemas = {
  CustomerRegistered: z
    .strictObject({
      customerId: z.string().describe("The customer's id."),
      name: personal('Name to bill, not blank.'),
      email: personal("The customer's email address."),
      billingAddress: billingAddress
        .nullable()
        .describe(
          "The address invoices are billed to. Personal data: `null` once the customer's data is erased.",
        ),
      currency: z.string().describe('ISO 4217 code: every invoice of the customer is in it.'),
      paymentTermsDays: z
        .number()
        .int()
        .describe("Days from an invoice's issue date to its default due date (0-365)."),
    })
    .describe(
      "A customer was registered. Schema version 2: name, email and billing address are stored sealed with the customer's key (version 1 holds them in plain text).",
    ),
  CustomerDetailsChanged: z
    .strictObject({
      customerId: z.string().describe('The customer changed.'),
      changes: z
        .strictObject({
          name: personal('The new name.').optional(),
          email: personal('The new email address.').optional(),
          billingAddress: billingAddress
            .nullable()
            .optional()
            .describe('The new billing address, whole. Personal data: `null` once erased.'),
          paymentTermsDays: z.number().int().optional().describe('The new payment terms.'),
        })
        .describe('Only the fields that changed, with their new values.'),
    })
    .describe(
      "Some of a customer's details changed; asking for the current values records nothing. Schema version 2: a changed name, email or billing address is stored sealed with the customer's key (version 1 holds it in plain text).",
    ),
  // `PersonalDataErased` is the employee's: event type names are global across modules (the
  // audit trail and the docs name events by type alone), so the customer's has its own.
  CustomerPersonalDataErased: z
    .strictObject({
      customerId: z.string().describe('The customer whose personal data was erased.'),
      reason: z.string().describe('Why, as the caller wrote it.'),
      legalBasis: z
        .string()
        .describe('The ground the erasure rests on, e.g. "GDPR Art. 17(1)(a)", as given.'),
      erasedAt: z.string().describe('ISO 8601 UTC timestamp of the erasure.'),
    })
    .describe(
      "A customer's name, email and billing address were erased (their key destroyed): their events read them back as `null` from now on. The currency, payment terms, invoices, payments and postings stay. The event holds no personal data.",
    ),
  InvoiceIssued: z
    .strictObject({
      invoiceId: z.string().describe("The invoice's id, given by the caller or generated."),
      customerId: z.string().describe('The customer billed.'),
      issueDate: z
        .string()
        .describe('Accounting date, `YYYY-MM-DD`: the receivable is posted on it.'),
      dueDate: z
        .string()
        .describe('`YYYY-MM-DD`; by default the issue date plus the payment terms.'),
      currency: z.string().describe("The customer's currency."),
      lines: z.array(invoiceLine).min(1).describe("The invoice's lines."),
      net: z
        .string()
        .optional()
        .describe('The sum of the rounded line amounts (absent before tax codes: then = total).'),
      taxes: z
        .array(taxLine)
        .optional()
        .describe('Tax per tax code used by the lines, in code order (absent: untaxed).'),
      total: z.string().describe('net + the taxes.'),
    })
    .describe(
      'An invoice was issued; the postings reactor books its receivable, its revenue and its tax.',
    ),
  PaymentReceived: z
    .strictObject({
      invoiceId: z.string().describe('The invoice paid.'),
      customerId: z.string().describe("The invoice's customer."),
      paymentId: z.string().describe('Unique on the invoice: given by the caller or generated.'),
      amount: z
        .string()
        .describe('Positive decimal string, at most what was outstanding on the invoice.'),
      currency: z.string().describe("The invoice's currency."),
      receivedOn: z.string().describe('Accounting date, `YYYY-MM-DD`; not before the issue date.'),
      method: z.enum(paymentMethods).describe('How the money came in.'),
      reference: z
        .string()
        .describe("The payer's or the bank's reference; empty when none was given."),
    })
    .describe(
      "A payment was received on an invoice. Payments are events of the invoice's stream, so each is decided against every payment before it and an invoice cannot be overpaid.",
    ),
  InvoiceVoided: z
    .strictObject({
      invoiceId: z.string().describe('The invoice voided.'),
      customerId: z.string().describe("The invoice's customer."),
      voidedOn: z.string().describe('Accounting date, `YYYY-MM-DD`; not before the issue date.'),
      reason: z.string().describe('Why, as the caller wrote it.'),
      total: z
        .string()
        .describe(
          "What the void takes off the customer's balance: the whole total, as nothing was paid.",
        ),
      currency: z
        .string()
        .optional()
        .describe("The invoice's currency (absent on voids recorded before tax codes)."),
      taxes: z
        .array(taxLine)
        .optional()
        .describe("The invoice's taxes, reversed with it (absent when it had none)."),
    })
    .describe(
      'An invoice without payments or credit notes was voided; the postings reactor reverses its entry.',
    ),
  CreditNoteIssued: z
    .strictObject({
      invoiceId: z.string().describe('The invoice credited.'),
      customerId: z.string().describe("The invoice's customer."),
      creditNoteId: z.string().describe('Unique on the invoice: given by the caller or generated.'),
      date: z.string().describe('Accounting date, `YYYY-MM-DD`; not before the issue date.'),
      reason: z.string().describe('Why, as the caller wrote it.'),
      currency: z.string().describe("The invoice's currency."),
      lines: z.array(creditLine).min(1).describe('What is credited.'),
      net: z.string().describe('The sum of the line amounts.'),
      taxes: z.array(taxLine).describe('Tax credited per tax code, at the invoice rates.'),
      total: z.string().describe('net + the taxes: what the receivable is credited with.'),
      toCustomerCredit: z
        .string()
        .describe(
          'The part of the total beyond what was still unpaid on the invoice: it becomes a credit balance of the customer, which a refund pays out.',
        ),
    })
    .describe(
      "Part or all of an issued invoice was credited; the postings reactor books the mirror of the invoice's posting for the credited amounts.",
    ),
  CustomerRefunded: z
    .strictObject({
      customerId: z.string().describe('The customer paid.'),
      refundId: z.string().describe('Unique for the customer: given by the caller or generated.'),
      amount: z.string().describe("Positive, at most the customer's credit balance."),
      currency: z.string().describe("The customer's currency."),
      paidOn: z.string().describe('Accounting date, `YYYY-MM-DD`.'),
      method: z.enum(paymentMethods).describe('How the money went out.'),
      reference: z.string().describe('The bank reference; empty when none was given.'),
    })
    .describe(
      "Part or all of a customer's credit balance was paid back to them; the postings reactor debits the receivable and credits cash.",
    ),
  TaxCodeCreated: z
    .strictObject({
      code: z.string().describe('The tax code, e.g. `VAT19`.'),
      name: z.string().describe('What the code is called on reports.'),
      rate: z.string().describe('Percent, in effect from the beginning until a change.'),
      outputAccount: z.string().describe('The liability account the tax is posted to.'),
      currency: z
        .string()
        .describe("The output account's currency: only invoices in it use the code."),
    })
    .describe('A tax code was created.'),
  TaxRateChanged: z
    .strictObject({
      code: z.string().describe('The tax code.'),
      rate: z.string().describe('The new rate, percent.'),
      effectiveFrom: z
        .string()
        .describe(
          '`YYYY-MM-DD`: invoices issued on or after it use the new rate; after any earlier change.',
        ),
    })
    .describe(
      "A tax code's rate changes from a date on. Invoices already issued keep the rate they recorded.",
    ),
} as const;

/**
 * The customer's personal fields, by event type (dotted paths into the data): stored only
 * sealed with the key of subject `customer-<customerId>`, from schema version 2 on.
 */
export const customerPersonalFields = {
  CustomerRegistered: ['name', 'email', 'billingAddress'],
  CustomerDetailsChanged: ['changes.name', 'changes.email', 'changes.billingAddress'],
} as const satisfies Partial<Record<keyof typeof receivablesEventSchemas, readonly string[]>>;

/**
 * The `schemaVersion` each event type's new events carry in their metadata; a type not named
 * is at 1. Version 2 of the customer events stores the personal fields sealed; version 1 (before
 * they were declared personal) holds them in plain text, and stays readable: see `upcast.ts`.
 */
export const receivablesSchemaVersions = {
  CustomerRegistered: 2,
  CustomerDetailsChanged: 2,
} as const satisfies Partial<Record<keyof typeof receivablesEventSchemas, number>>;

type Schemas = typeof receivablesEventSchemas;
export type ReceivablesEventType = keyof Schemas;
export type ReceivablesEvent = {
  [K in ReceivablesEventType]: { readonly type: K; readonly data: z.infer<Schemas[K]> };
}[ReceivablesEventType];

export type InvoiceIssued = Extract<ReceivablesEvent, { type: 'InvoiceIssued' }>;
export type PaymentReceived = Extract<ReceivablesEvent, { type: 'PaymentReceived' }>;
export type CreditNoteIssued = Extract<ReceivablesEvent, { type: 'CreditNoteIssued' }>;
