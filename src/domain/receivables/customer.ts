import { isCurrencyCode } from '../shared/currency.js';
import type { Decider } from '../shared/decider.js';
import { refuse } from '../shared/errors.js';
import type { ChangeCustomerDetails, CustomerCommand, RegisterCustomer } from './commands.js';
import type { BillingAddress, ReceivablesEvent } from './events.js';

export type CustomerState =
  | { readonly status: 'none' }
  | {
      readonly status: 'active';
      readonly customerId: string;
      readonly name: string;
      readonly email: string;
      readonly billingAddress: BillingAddress;
      readonly currency: string;
      readonly paymentTermsDays: number;
    };

export const initialCustomerState: CustomerState = { status: 'none' };

export const MAX_PAYMENT_TERMS_DAYS = 365;

export function decideCustomer(command: CustomerCommand, state: CustomerState): ReceivablesEvent[] {
  switch (command.type) {
    case 'RegisterCustomer':
      return register(command, state);
    case 'ChangeCustomerDetails':
      return change(command, state);
  }
}

export function evolveCustomer(state: CustomerState, event: ReceivablesEvent): CustomerState {
  switch (event.type) {
    case 'CustomerRegistered':
      return { status: 'active', ...event.data };
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
    !sameAddress(command.billingAddress, state.billingAddress)
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

export const customerDecider: Decider<CustomerState, CustomerCommand, ReceivablesEvent> = {
  initialState: initialCustomerState,
  evolve: evolveCustomer,
  decide: decideCustomer,
};
