/**
 * Crediting an invoice: a credit note takes back part or all of what the invoice billed, line
 * by line, as the mirror of its posting. Each credit line names the revenue account and tax code
 * it takes back from (both as the invoice posted them), and no pair of them is credited beyond
 * what the invoice billed there less earlier credit notes, so neither revenue nor an output
 * account is ever taken below what the invoice put on it.
 *
 * Tax is credited at the rate the invoice recorded, rounded half up once per credit note; the
 * credit note that credits the rest of a code's base takes the rest of its tax, so crediting an
 * invoice in full, in one note or many, takes back exactly its tax.
 *
 * The part of a credit note beyond what was still unpaid becomes the customer's credit
 * balance (`toCustomerCredit`), which a refund pays out.
 */
import {
  refuseIfAccountsNotOpen,
  refuseIfNoPostingAccount,
  refuseIfPeriodClosed,
} from '../ledger/posting-rules.js';
import type { CurrencyCode } from '../shared/currency.js';
import { isAccountingDate } from '../shared/dates.js';
import { refuse, refuseInvalid } from '../shared/errors.js';
import { formatAmount, parseAmount, storedMinor } from '../shared/money.js';
import type { IssueCreditNote } from './commands.js';
import type { CreditLine, ReceivablesEvent, TaxLine } from './events.js';
import { outstandingMinor, type InvoiceFacts, type IssuedInvoice } from './invoice.js';
import { parseRate, taxOf } from './tax.js';

type Issue = { path: string; message: string };

/** Where an amount was billed: the tax code (or none) and the revenue account. */
const slot = (taxCode: string | undefined, revenueAccount: string) =>
  `${taxCode ?? ''}\u0000${revenueAccount}`;

function add(map: Map<string, bigint>, key: string, amount: bigint) {
  map.set(key, (map.get(key) ?? 0n) + amount);
}

/** What the invoice billed, and what its credit notes took back, per slot and per tax code. */
function creditable(invoice: IssuedInvoice) {
  const currency = invoice.currency;
  const billed = new Map<string, bigint>();
  for (const line of invoice.lines) {
    add(billed, slot(line.taxCode, line.revenueAccount), storedMinor(line.amount, currency));
  }
  const credited = new Map<string, bigint>();
  const creditedBase = new Map<string, bigint>();
  const creditedTax = new Map<string, bigint>();
  for (const note of invoice.creditNotes.toArray()) {
    for (const line of note.lines) {
      add(credited, slot(line.taxCode, line.revenueAccount), storedMinor(line.amount, currency));
    }
    for (const tax of note.taxes) {
      add(creditedBase, tax.taxCode, storedMinor(tax.base, currency));
      add(creditedTax, tax.taxCode, storedMinor(tax.tax, currency));
    }
  }
  return { billed, credited, creditedBase, creditedTax };
}

/** The revenue account a line credits: named, or the one the invoice used at its tax code. */
function revenueAccountOf(
  invoice: IssuedInvoice,
  taxCode: string | undefined,
  named: string | undefined,
): { account: string } | { field: 'taxCode' | 'revenueAccount'; message: string } {
  const accounts = [
    ...new Set(
      invoice.lines.filter((line) => line.taxCode === taxCode).map((line) => line.revenueAccount),
    ),
  ];
  const at = taxCode === undefined ? 'untaxed' : `at tax code ${taxCode}`;
  if (accounts.length === 0) {
    return {
      field: 'taxCode',
      message:
        taxCode === undefined
          ? `invoice ${invoice.invoiceId} has no untaxed lines; name the tax code credited`
          : `invoice ${invoice.invoiceId} has no lines at tax code ${taxCode}`,
    };
  }
  if (named !== undefined) {
    return accounts.includes(named)
      ? { account: named }
      : {
          field: 'revenueAccount',
          message: `invoice ${invoice.invoiceId} posted nothing ${at} to account ${named}; its lines ${at} went to ${accounts.join(', ')}`,
        };
  }
  if (accounts.length === 1) return { account: accounts[0]! };
  return {
    field: 'revenueAccount',
    message: `the lines ${at} of invoice ${invoice.invoiceId} went to ${accounts.join(', ')}: name the revenueAccount credited`,
  };
}

export function issueCreditNote(
  command: IssueCreditNote,
  invoice: IssuedInvoice,
  facts: InvoiceFacts,
): ReceivablesEvent[] {
  const currency = invoice.currency as CurrencyCode;
  const money = (minor: bigint) => formatAmount(minor, currency);
  const issues: Issue[] = [];
  if (!isAccountingDate(command.date)) {
    issues.push({ path: 'date', message: 'must be a calendar date, YYYY-MM-DD' });
  } else if (command.date < invoice.issueDate) {
    issues.push({
      path: 'date',
      message: `must not be before the invoice's issue date ${invoice.issueDate}`,
    });
  }
  if (command.reason.trim() === '') issues.push({ path: 'reason', message: 'must not be blank' });
  if (command.lines.length === 0)
    issues.push({ path: 'lines', message: 'needs at least one line' });
  const lines: (CreditLine & { readonly amountMinor: bigint })[] = [];
  command.lines.forEach((line, index) => {
    const at = `lines[${index}]`;
    const amount = parseAmount(line.amount, currency);
    if (!amount.ok) issues.push({ path: `${at}.amount`, message: amount.message });
    else if (amount.minor <= 0n) {
      issues.push({ path: `${at}.amount`, message: 'must be a positive amount' });
    }
    const account = revenueAccountOf(invoice, line.taxCode, line.revenueAccount);
    if ('message' in account) {
      issues.push({ path: `${at}.${account.field}`, message: account.message });
      return;
    }
    if (!amount.ok || amount.minor <= 0n) return;
    lines.push({
      description: line.description,
      amount: money(amount.minor),
      ...(line.taxCode !== undefined ? { taxCode: line.taxCode } : {}),
      revenueAccount: account.account,
      amountMinor: amount.minor,
    });
  });
  if (issues.length > 0) refuseInvalid('InvalidCreditNote', issues);

  if (invoice.status === 'void') {
    refuse({
      kind: 'conflict',
      code: 'InvoiceVoid',
      message: `Invoice ${invoice.invoiceId} is void; there is nothing left to credit`,
    });
  }
  if (invoice.creditNotes.has(command.creditNoteId)) {
    refuse({
      kind: 'conflict',
      code: 'CreditNoteAlreadyRecorded',
      message: `Credit note ${command.creditNoteId} is already recorded on invoice ${invoice.invoiceId}`,
    });
  }

  const { billed, credited, creditedBase, creditedTax } = creditable(invoice);
  const asked = new Map<string, bigint>();
  for (const line of lines) add(asked, slot(line.taxCode, line.revenueAccount), line.amountMinor);
  for (const [key, amount] of asked) {
    const left = billed.get(key)! - (credited.get(key) ?? 0n);
    if (amount > left) {
      const [taxCode, account] = key.split('\u0000');
      refuse({
        kind: 'conflict',
        code: 'CreditExceedsInvoice',
        message: `Invoice ${invoice.invoiceId} has ${money(left)} ${currency} left to credit on account ${account}${taxCode ? ` at tax code ${taxCode}` : ' untaxed'}; ${money(amount)} ${currency} was asked`,
      });
    }
  }

  const bases = new Map<string, bigint>();
  for (const line of lines) if (line.taxCode) add(bases, line.taxCode, line.amountMinor);
  const taxes: TaxLine[] = [];
  let taxTotal = 0n;
  for (const code of [...bases.keys()].sort()) {
    const invoiced = invoice.taxes.find((tax) => tax.taxCode === code)!;
    const base = bases.get(code)!;
    const baseLeft = storedMinor(invoiced.base, currency) - (creditedBase.get(code) ?? 0n);
    const taxLeft = storedMinor(invoiced.tax, currency) - (creditedTax.get(code) ?? 0n);
    const computed = taxOf(base, parseRate(invoiced.rate)!);
    const tax = base === baseLeft || computed > taxLeft ? taxLeft : computed;
    taxTotal += tax;
    taxes.push({
      taxCode: code,
      rate: invoiced.rate,
      base: money(base),
      tax: money(tax),
      outputAccount: invoiced.outputAccount,
    });
  }
  const net = lines.reduce((sum, line) => sum + line.amountMinor, 0n);
  const total = net + taxTotal;
  const stillUnpaid = outstandingMinor(invoice);

  refuseIfNoPostingAccount(facts.receivable, currency, 'receivable');
  refuseIfAccountsNotOpen(
    [...lines.map((line) => line.revenueAccount), ...taxes.map((tax) => tax.outputAccount)],
    facts,
  );
  refuseIfPeriodClosed(command.date, facts, 'credited');
  return [
    {
      type: 'CreditNoteIssued',
      data: {
        invoiceId: invoice.invoiceId,
        customerId: invoice.customerId,
        creditNoteId: command.creditNoteId,
        date: command.date,
        reason: command.reason,
        currency,
        lines: lines.map(({ amountMinor: _, ...line }) => line),
        net: money(net),
        taxes,
        total: money(total),
        toCustomerCredit: money(total > stillUnpaid ? total - stillUnpaid : 0n),
      },
    },
  ];
}
