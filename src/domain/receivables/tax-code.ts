/**
 * Tax codes, one stream each. A code names a rate and the liability account its tax is owed
 * on; its rate changes only from an effective date on, so every invoice is taxed at the rate in
 * effect on its issue date, and each invoice records the rate it used (a change recorded later
 * never rewrites an invoice already issued).
 */
import type { AccountState } from '../ledger/account.js';
import { isAccountingDate, periodOf } from '../shared/dates.js';
import type { Decider } from '../shared/decider.js';
import { refuse, refuseInvalid } from '../shared/errors.js';
import type { ChangeTaxRate, CreateTaxCode, TaxCodeCommand } from './commands.js';
import type { ReceivablesEvent } from './events.js';
import { formatRate, parseRate } from './tax.js';

export interface TaxRatePeriod {
  /** `YYYY-MM-DD`, or null for the rate the code was created with: in effect from the start. */
  readonly effectiveFrom: string | null;
  /** Percent, as formatted by `formatRate`. */
  readonly rate: string;
}

export type TaxCodeState =
  | { readonly status: 'none' }
  | {
      readonly status: 'active';
      readonly code: string;
      readonly name: string;
      readonly outputAccount: string;
      /** The output account's currency: only invoices in it can use the code. */
      readonly currency: string;
      /** In effective order; the first starts at the beginning of time. */
      readonly rates: readonly TaxRatePeriod[];
    };

export const initialTaxCodeState: TaxCodeState = { status: 'none' };

export interface TaxCodeFacts {
  /** The output account named by a creation. */
  readonly outputAccount?: AccountState;
  /** Months closed in the ledger: a rate cannot start inside one, its invoices are booked. */
  readonly closedPeriods?: ReadonlySet<string>;
}

/** The rate in effect on `date`. */
export function rateOn(
  state: Extract<TaxCodeState, { status: 'active' }>,
  date: string,
): TaxRatePeriod {
  let current = state.rates[0]!;
  for (const period of state.rates) {
    if (period.effectiveFrom === null || period.effectiveFrom <= date) current = period;
  }
  return current;
}

export function decideTaxCode(
  command: TaxCodeCommand,
  state: TaxCodeState,
  facts: TaxCodeFacts = {},
): ReceivablesEvent[] {
  switch (command.type) {
    case 'CreateTaxCode':
      return create(command, state, facts);
    case 'ChangeTaxRate':
      return changeRate(command, state, facts);
  }
}

export function evolveTaxCode(state: TaxCodeState, event: ReceivablesEvent): TaxCodeState {
  switch (event.type) {
    case 'TaxCodeCreated': {
      const { code, name, outputAccount, currency, rate } = event.data;
      return {
        status: 'active',
        code,
        name,
        outputAccount,
        currency,
        rates: [{ effectiveFrom: null, rate }],
      };
    }
    case 'TaxRateChanged':
      if (state.status === 'none') return state;
      return {
        ...state,
        rates: [...state.rates, { effectiveFrom: event.data.effectiveFrom, rate: event.data.rate }],
      };
    default:
      return state;
  }
}

const RATE_MESSAGE = 'must be a percentage from 0 to 100 with at most 4 decimals, like "19.00"';

function create(
  command: CreateTaxCode,
  state: TaxCodeState,
  facts: TaxCodeFacts,
): ReceivablesEvent[] {
  const rate = parseRate(command.rate);
  const issues: { path: string; message: string }[] = [];
  if (rate === undefined) issues.push({ path: 'rate', message: RATE_MESSAGE });
  if (command.name.trim() === '') issues.push({ path: 'name', message: 'must not be blank' });
  const account = facts.outputAccount ?? { status: 'none' };
  if (account.status !== 'open') {
    issues.push({
      path: 'outputAccount',
      message: `account ${command.outputAccount} does not exist`,
    });
  } else if (account.type !== 'liability') {
    issues.push({
      path: 'outputAccount',
      message: `account ${command.outputAccount} is a ${account.type} account; tax owed is a liability`,
    });
  }
  if (issues.length > 0 || rate === undefined || account.status !== 'open') {
    refuseInvalid('InvalidTaxCode', issues);
  }
  if (state.status !== 'none') {
    refuse({
      kind: 'conflict',
      code: 'TaxCodeAlreadyExists',
      message: `Tax code ${command.code} already exists; change its rate with an effective date instead`,
    });
  }
  return [
    {
      type: 'TaxCodeCreated',
      data: {
        code: command.code,
        name: command.name,
        rate: formatRate(rate),
        outputAccount: command.outputAccount,
        currency: account.currency,
      },
    },
  ];
}

function changeRate(
  command: ChangeTaxRate,
  state: TaxCodeState,
  facts: TaxCodeFacts,
): ReceivablesEvent[] {
  const rate = parseRate(command.rate);
  const issues: { path: string; message: string }[] = [];
  if (rate === undefined) issues.push({ path: 'rate', message: RATE_MESSAGE });
  if (!isAccountingDate(command.effectiveFrom)) {
    issues.push({ path: 'effectiveFrom', message: 'must be a calendar date, YYYY-MM-DD' });
  }
  if (issues.length > 0 || rate === undefined) refuseInvalid('InvalidTaxRate', issues);
  if (state.status === 'none') {
    refuse({
      kind: 'not_found',
      code: 'TaxCodeNotFound',
      message: `Tax code ${command.code} does not exist`,
    });
  }
  const last = state.rates.at(-1)!;
  if (last.effectiveFrom !== null && command.effectiveFrom <= last.effectiveFrom) {
    // Rates only ever extend forward: an insertion before the last change would re-rate the
    // days that change already covers, and the invoices issued on them.
    refuse({
      kind: 'conflict',
      code: 'TaxRateNotAfterLastChange',
      message: `Tax code ${state.code} already changes rate on ${last.effectiveFrom}; a new rate must take effect after that`,
    });
  }
  const period = isAccountingDate(command.effectiveFrom) ? periodOf(command.effectiveFrom) : '';
  if (facts.closedPeriods?.has(period)) {
    refuse({
      kind: 'conflict',
      code: 'PeriodClosed',
      message: `Period ${period} is closed: its invoices are booked, so no rate can take effect on ${command.effectiveFrom}`,
      until: `period ${period} is reopened`,
    });
  }
  return [
    {
      type: 'TaxRateChanged',
      data: {
        code: state.code,
        rate: formatRate(rate),
        effectiveFrom: command.effectiveFrom,
      },
    },
  ];
}

export const taxCodeDecider: Decider<
  TaxCodeState,
  TaxCodeCommand,
  ReceivablesEvent,
  TaxCodeFacts | undefined
> = {
  initialState: initialTaxCodeState,
  evolve: evolveTaxCode,
  decide: decideTaxCode,
};
