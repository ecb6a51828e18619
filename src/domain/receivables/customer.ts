/**
 * The customer decider: registration, changes of details and the erasure of the customer's
 * personal data (name, email, billing address), one stream per customer. The personal fields
 * are stored sealed with the customer's key by the command pipeline; the decider sees them
 * opened, or `null` once erased.
 */
import { appendOnlyList, type AppendOnlyList } from '../shared/append-only-list.js';
import { isCurrencyCode } from '../shared/currency.js';
import { isUtcTimestamp } from '../shared/dates.js';
import type { Decider } from '../shared/decider.js';
import { refuse, refuseInvalid } from '../shared/errors.js';
import type {
  ChangeCustomerDetails,
  CustomerCommand,
  EraseCustomerPersonalData,
  RegisterCustomer,
} from './commands.js';
import { storedMinor } from '../shared/money.js';
import type { BillingAddress, PaymentMethod, ReceivablesEvent } from './events.js';
import { refundCustomer, type RefundFacts } from './refund.js';

export interface ActiveCustomer {
  readonly status: 'active';
  readonly customerId: string;
  /** Personal data: `null` once erased (see `erased`). */
  readonly name: string | null;
  readonly email: string | null;
  readonly billingAddress: BillingAddress | null;
  readonly erased: boolean;
  readonly currency: string;
  readonly paymentTermsDays: number;
  /** Refunds of the customer's credit balance, by refund id. */
  readonly refunds: AppendOnlyList<CustomerRefund>;
  readonly refundedMinor: bigint;
}

export interface CustomerRefund {
  readonly refundId: string;
  readonly amount: string;
  readonly paidOn: string;
  readonly method: PaymentMethod;
  readonly reference: string;
}

export type CustomerState = { readonly status: 'none' } | ActiveCustomer;

export const initialCustomerState: CustomerState = { status: 'none' };

/**
 * What an erasure is decided against, read by the command from the event store itself (never
 * from read models, which may lag): both must be given, as an erasure cannot be undone.
 */
export interface CustomerFacts {
  /** The customer's invoices issued and neither void nor paid in full. */
  readonly outstandingInvoices?: readonly string[];
  /**
   * The revisions of the customer's events that hold personal data in plain text (schema
   * version 1, written before the fields were stored sealed).
   */
  readonly plaintextEvents?: readonly bigint[];
  /** What a refund is decided against; see `refund.ts`. */
  readonly refund?: RefundFacts;
}

export const MAX_PAYMENT_TERMS_DAYS = 365;

export function decideCustomer(
  command: CustomerCommand,
  state: CustomerState,
  // Only an erasure needs facts; the other commands are decided on the stream alone.
  facts: CustomerFacts = {},
): ReceivablesEvent[] {
  switch (command.type) {
    case 'RegisterCustomer':
      return register(command, state);
    case 'ChangeCustomerDetails':
      return change(command, state);
    case 'EraseCustomerPersonalData':
      return erase(command, state, facts);
    case 'RefundCustomer':
      return refundCustomer(command, state, facts.refund);
  }
}

const refundKey = (refund: CustomerRefund) => refund.refundId;

export function evolveCustomer(state: CustomerState, event: ReceivablesEvent): CustomerState {
  switch (event.type) {
    case 'CustomerRegistered':
      return {
        status: 'active',
        ...event.data,
        erased: false,
        refunds: appendOnlyList(refundKey),
        refundedMinor: 0n,
      };
    case 'CustomerRefunded': {
      if (state.status === 'none') return state;
      const { refundId, amount, paidOn, currency, method, reference } = event.data;
      return {
        ...state,
        refunds: state.refunds.append({ refundId, amount, paidOn, method, reference }),
        refundedMinor: state.refundedMinor + storedMinor(amount, currency),
      };
    }
    case 'CustomerDetailsChanged': {
      if (state.status === 'none') return state;
      const { changes } = event.data;
      return {
        ...state,
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.email !== undefined ? { email: changes.email } : {}),
        ...(changes.billingAddress !== undefined ? { billingAddress: changes.billingAddress } : {}),
        ...(changes.paymentTermsDays !== undefined
          ? { paymentTermsDays: changes.paymentTermsDays }
          : {}),
      };
    }
    case 'CustomerPersonalDataErased':
      if (state.status === 'none') return state;
      return { ...state, name: null, email: null, billingAddress: null, erased: true };
    default:
      return state;
  }
}

function register(command: RegisterCustomer, state: CustomerState): ReceivablesEvent[] {
  const issues = [
    ...(isCurrencyCode(command.currency)
      ? []
      : [{ path: 'currency', message: 'must be an ISO 4217 currency code with minor units' }]),
    ...termsIssues(command.paymentTermsDays),
    ...(command.name.trim() === '' ? [{ path: 'name', message: 'must not be blank' }] : []),
  ];
  if (issues.length > 0) {
    refuse({
      kind: 'invalid',
      code: 'InvalidCustomer',
      message: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
      issues,
    });
  }
  if (state.status !== 'none') {
    refuse({
      kind: 'conflict',
      code: 'CustomerAlreadyExists',
      message: `Customer ${command.customerId} already exists`,
    });
  }
  return [
    {
      type: 'CustomerRegistered',
      data: {
        customerId: command.customerId,
        name: command.name,
        email: command.email,
        billingAddress: command.billingAddress,
        currency: command.currency,
        paymentTermsDays: command.paymentTermsDays,
      },
    },
  ];
}

function change(command: ChangeCustomerDetails, state: CustomerState): ReceivablesEvent[] {
  if (state.status === 'none') {
    refuse({
      kind: 'not_found',
      code: 'CustomerNotFound',
      message: `Customer ${command.customerId} does not exist`,
    });
  }
  if (
    state.erased &&
    (command.name !== undefined ||
      command.email !== undefined ||
      command.billingAddress !== undefined)
  ) {
    // No key is left to seal them with, and a new one would undo the point of the erasure.
    refuse({
      kind: 'conflict',
      code: 'CustomerErased',
      message: `The personal data of customer ${command.customerId} was erased: no name, email or billing address can be recorded for them again`,
    });
  }
  const issues = [
    ...(command.paymentTermsDays === undefined ? [] : termsIssues(command.paymentTermsDays)),
    ...(command.name !== undefined && command.name.trim() === ''
      ? [{ path: 'name', message: 'must not be blank' }]
      : []),
  ];
  if (issues.length > 0) {
    refuse({
      kind: 'invalid',
      code: 'InvalidCustomer',
      message: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
      issues,
    });
  }
  // Only what differs is recorded; asking for the current values changes nothing.
  const changes = {
    ...(command.name !== undefined && command.name !== state.name ? { name: command.name } : {}),
    ...(command.email !== undefined && command.email !== state.email
      ? { email: command.email }
      : {}),
    ...(command.billingAddress !== undefined &&
    (state.billingAddress === null || !sameAddress(command.billingAddress, state.billingAddress))
      ? { billingAddress: command.billingAddress }
      : {}),
    ...(command.paymentTermsDays !== undefined &&
    command.paymentTermsDays !== state.paymentTermsDays
      ? { paymentTermsDays: command.paymentTermsDays }
      : {}),
  };
  if (Object.keys(changes).length === 0) return [];
  return [{ type: 'CustomerDetailsChanged', data: { customerId: state.customerId, changes } }];
}

/**
 * In order: the input, the customer's own state (exists, not erased already), then the facts.
 * History in plain text is refused before open invoices: it can never be mended, so the caller
 * learns that first.
 */
function erase(
  command: EraseCustomerPersonalData,
  state: CustomerState,
  facts: CustomerFacts,
): ReceivablesEvent[] {
  const issues = [
    ...(command.reason.trim() === '' ? [{ path: 'reason', message: 'must not be blank' }] : []),
    ...(command.legalBasis.trim() === ''
      ? [{ path: 'legalBasis', message: 'must not be blank' }]
      : []),
    ...(isUtcTimestamp(command.erasedAt)
      ? []
      : [
          {
            path: 'erasedAt',
            message: 'must be an ISO 8601 UTC timestamp, YYYY-MM-DDTHH:MM:SS(.sss)Z',
          },
        ]),
  ];
  if (issues.length > 0) refuseInvalid('InvalidErasure', issues);
  if (state.status === 'none') {
    refuse({
      kind: 'not_found',
      code: 'CustomerNotFound',
      message: `Customer ${command.customerId} does not exist`,
    });
  }
  if (state.erased) {
    refuse({
      kind: 'conflict',
      code: 'PersonalDataAlreadyErased',
      message: `The personal data of customer ${state.customerId} is already erased`,
    });
  }
  const { outstandingInvoices, plaintextEvents } = facts;
  // Erasure cannot be undone: without the facts, refusing or erasing would both be a guess.
  if (outstandingInvoices === undefined || plaintextEvents === undefined) {
    throw new Error(
      `Erasing customer ${state.customerId} needs facts.outstandingInvoices and facts.plaintextEvents`,
    );
  }
  if (plaintextEvents.length > 0) {
    refuse({
      kind: 'conflict',
      code: 'PersonalDataInPlainText',
      message: `The history of customer ${state.customerId} holds personal data stored in plain text, before it was stored encrypted (events at revisions ${plaintextEvents.join(', ')}). Events are immutable, so that data cannot be shredded by destroying a key; nothing was erased`,
    });
  }
  if (outstandingInvoices.length > 0) {
    refuse({
      kind: 'conflict',
      code: 'CustomerHasOutstandingInvoices',
      message: `Customer ${state.customerId} has invoices not paid in full (${outstandingInvoices.join(', ')}): their personal data can be erased once those are paid or void`,
    });
  }
  return [
    {
      type: 'CustomerPersonalDataErased',
      data: {
        customerId: state.customerId,
        reason: command.reason,
        legalBasis: command.legalBasis,
        erasedAt: command.erasedAt,
      },
    },
  ];
}

function termsIssues(days: number) {
  return Number.isInteger(days) && days >= 0 && days <= MAX_PAYMENT_TERMS_DAYS
    ? []
    : [
        {
          path: 'paymentTermsDays',
          message: `must be a whole number of days from 0 to ${MAX_PAYMENT_TERMS_DAYS}`,
        },
      ];
}

function sameAddress(a: BillingAddress, b: BillingAddress): boolean {
  return (
    a.line1 === b.line1 &&
    (a.line2 ?? '') === (b.line2 ?? '') &&
    a.city === b.city &&
    a.postalCode === b.postalCode &&
    a.country === b.country
  );
}

export const customerDecider: Decider<
  CustomerState,
  CustomerCommand,
  ReceivablesEvent,
  CustomerFacts | undefined
> = {
  initialState: initialCustomerState,
  evolve: evolveCustomer,
  decide: decideCustomer,
};
