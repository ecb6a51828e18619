/**
 * Issuing an invoice: its lines priced (see `pricing.ts`), taxed per tax code at the rate in
 * effect on the issue date (see `tax.ts`), and checked against what the ledger would accept.
 */
import {
  refuseIfAccountsNotOpen,
  refuseIfNoPostingAccount,
  refuseIfPeriodClosed,
} from '../ledger/posting-rules.js';
import { isCurrencyCode, type CurrencyCode } from '../shared/currency.js';
import { addDays, isAccountingDate } from '../shared/dates.js';
import { refuse, refuseInvalid } from '../shared/errors.js';
import { formatAmount, parseAmount, storedMinor } from '../shared/money.js';
import type { IssueInvoice } from './commands.js';
import type { InvoiceLine, ReceivablesEvent } from './events.js';
import type { InvoiceFacts, InvoiceState } from './invoice.js';
import { formatQuantity, lineAmountMinor, parseQuantity } from './pricing.js';
import { rateOn } from './tax-code.js';
import { parseRate, taxOf } from './tax.js';

type Issue = { path: string; message: string };

export function issueInvoice(
  command: IssueInvoice,
  state: InvoiceState,
  facts: InvoiceFacts,
): ReceivablesEvent[] {
  const { customer } = facts;
  if (customer.status === 'none') {
    refuseInvalid('InvalidInvoice', [
      { path: 'customerId', message: `customer ${command.customerId} does not exist` },
    ]);
  }
  if (customer.erased) {
    // An invoice names whom it bills; an erased customer has no name or address to bill.
    refuse({
      kind: 'conflict',
      code: 'CustomerErased',
      message: `The personal data of customer ${customer.customerId} was erased: no new invoice can be issued to them`,
    });
  }
  const issues: Issue[] = [];
  const currency = command.currency ?? customer.currency;
  if (!isCurrencyCode(currency)) {
    issues.push({
      path: 'currency',
      message: 'must be an ISO 4217 currency code with minor units',
    });
  } else if (currency !== customer.currency) {
    issues.push({
      path: 'currency',
      message: `customer ${customer.customerId} is invoiced in ${customer.currency}`,
    });
  }
  if (!isAccountingDate(command.issueDate)) {
    issues.push({ path: 'issueDate', message: 'must be a calendar date, YYYY-MM-DD' });
  }
  const issueDateValid = isAccountingDate(command.issueDate);
  const dueDate =
    command.dueDate ??
    (issueDateValid ? addDays(command.issueDate, customer.paymentTermsDays) : command.issueDate);
  if (command.dueDate !== undefined && !isAccountingDate(command.dueDate)) {
    issues.push({ path: 'dueDate', message: 'must be a calendar date, YYYY-MM-DD' });
  } else if (issueDateValid && !isAccountingDate(dueDate)) {
    issues.push({
      path: 'dueDate',
      message: `the issue date plus ${customer.paymentTermsDays} days of payment terms is past 9999-12-31; give a due date`,
    });
  } else if (issueDateValid && dueDate < command.issueDate) {
    issues.push({ path: 'dueDate', message: 'must not be before the issue date' });
  }
  if (command.lines.length === 0)
    issues.push({ path: 'lines', message: 'needs at least one line' });

  const lines: InvoiceLine[] = [];
  let net = 0n;
  command.lines.forEach((line, index) => {
    const at = `lines[${index}]`;
    const quantity = parseQuantity(line.quantity);
    if (quantity === undefined) {
      issues.push({
        path: `${at}.quantity`,
        message: 'must be a positive number with at most 3 decimals',
      });
    }
    const account = facts.accounts.get(line.revenueAccount);
    if (account === undefined || account.status === 'none') {
      issues.push({
        path: `${at}.revenueAccount`,
        message: `account ${line.revenueAccount} does not exist`,
      });
    } else if (account.type !== 'revenue') {
      issues.push({
        path: `${at}.revenueAccount`,
        message: `account ${line.revenueAccount} is not a revenue account`,
      });
    } else if (account.currency !== currency) {
      issues.push({
        path: `${at}.revenueAccount`,
        message: `account ${line.revenueAccount} is kept in ${account.currency}, not ${currency}`,
      });
    }
    if (line.taxCode !== undefined) {
      const taxCode = facts.taxCodes?.get(line.taxCode);
      if (taxCode === undefined || taxCode.status === 'none') {
        issues.push({ path: `${at}.taxCode`, message: `tax code ${line.taxCode} does not exist` });
      } else if (taxCode.currency !== currency) {
        issues.push({
          path: `${at}.taxCode`,
          message: `tax code ${line.taxCode} is owed in ${taxCode.currency}, not ${currency}`,
        });
      }
    }
    if (!isCurrencyCode(currency)) return;
    const price = parseAmount(line.unitPrice, currency);
    if (!price.ok) {
      issues.push({ path: `${at}.unitPrice`, message: price.message });
      return;
    }
    if (price.minor <= 0n) {
      issues.push({ path: `${at}.unitPrice`, message: 'must be a positive amount' });
      return;
    }
    if (quantity === undefined) return;
    const amount = lineAmountMinor(quantity, price.minor);
    if (amount <= 0n) {
      issues.push({ path: at, message: 'quantity × unit price rounds to zero' });
      return;
    }
    net += amount;
    lines.push({
      description: line.description,
      quantity: formatQuantity(quantity),
      unitPrice: formatAmount(price.minor, currency),
      amount: formatAmount(amount, currency),
      revenueAccount: line.revenueAccount,
      ...(line.taxCode !== undefined ? { taxCode: line.taxCode } : {}),
    });
  });
  const taxes = issues.length === 0 ? taxesOf(lines, command.issueDate, currency, facts) : [];
  const total = net + taxes.reduce((sum, tax) => sum + tax.taxMinor, 0n);
  if (isCurrencyCode(currency) && total >= 10n ** 18n) {
    issues.push({ path: 'lines', message: 'the invoice total is too large' });
  }
  if (issues.length > 0) refuseInvalid('InvalidInvoice', issues);
  if (state.status !== 'none') {
    refuse({
      kind: 'conflict',
      code: 'InvoiceAlreadyExists',
      message: `Invoice ${command.invoiceId} already exists`,
    });
  }
  refuseIfNoPostingAccount(facts.receivable, currency, 'receivable');
  refuseIfAccountsNotOpen(
    taxes.map((tax) => tax.outputAccount),
    facts,
  );
  refuseIfPeriodClosed(command.issueDate, facts, 'issued');
  const money = (minor: bigint) => formatAmount(minor, currency as CurrencyCode);
  return [
    {
      type: 'InvoiceIssued',
      data: {
        invoiceId: command.invoiceId,
        customerId: customer.customerId,
        issueDate: command.issueDate,
        dueDate,
        currency,
        lines,
        net: money(net),
        taxes: taxes.map(({ taxMinor, baseMinor, ...tax }) => ({
          ...tax,
          base: money(baseMinor),
          tax: money(taxMinor),
        })),
        total: money(total),
      },
    },
  ];
}

interface ComputedTax {
  readonly taxCode: string;
  readonly rate: string;
  readonly baseMinor: bigint;
  readonly taxMinor: bigint;
  readonly outputAccount: string;
}

/** One tax line per code the lines use, in code order: the base summed, then rounded once. */
function taxesOf(
  lines: readonly InvoiceLine[],
  issueDate: string,
  currency: string,
  facts: InvoiceFacts,
): ComputedTax[] {
  const bases = new Map<string, bigint>();
  for (const line of lines) {
    if (line.taxCode === undefined) continue;
    bases.set(line.taxCode, (bases.get(line.taxCode) ?? 0n) + storedMinor(line.amount, currency));
  }
  return [...bases.keys()].sort().map((code) => {
    const taxCode = facts.taxCodes?.get(code);
    if (taxCode === undefined || taxCode.status === 'none') {
      throw new Error(`Tax code ${code} was checked to exist`);
    }
    const { rate } = rateOn(taxCode, issueDate);
    const baseMinor = bases.get(code)!;
    return {
      taxCode: code,
      rate,
      baseMinor,
      taxMinor: taxOf(baseMinor, parseRate(rate)!),
      outputAccount: taxCode.outputAccount,
    };
  });
}
