import {
  evolveAccount,
  initialAccountState,
  type AccountState,
} from '../../domain/ledger/account.js';
import { ledgerEventSchemas, type LedgerEvent } from '../../domain/ledger/events.js';
import { evolvePeriod, initialPeriodState } from '../../domain/ledger/period.js';
import { ledgerStreams } from '../../domain/ledger/streams.js';
import type {
  ChangeCustomerDetails,
  IssueInvoice,
  RecordPayment,
  RegisterCustomer,
  VoidInvoice,
} from '../../domain/receivables/commands.js';
import {
  decideCustomer,
  evolveCustomer,
  initialCustomerState,
  type CustomerState,
} from '../../domain/receivables/customer.js';
import { receivablesEventSchemas, type ReceivablesEvent } from '../../domain/receivables/events.js';
import {
  decideInvoice,
  evolveInvoice,
  initialInvoiceState,
  type InvoiceFacts,
  type InvoiceState,
} from '../../domain/receivables/invoice.js';
import { receivablesStreams } from '../../domain/receivables/streams.js';
import { isAccountingDate, periodOf } from '../../domain/shared/dates.js';
import type { EventStore } from '../../stores/event-store.js';
import {
  streamLock,
  toDomainEvent,
  type CommandContext,
  type CommandHandler,
  type CommandResult,
  type CommandSpec,
  type DomainEvent,
  type EventSchemas,
} from '../pipeline.js';

export interface ReceivablesCommands {
  registerCustomer(
    context: CommandContext,
    command: RegisterCustomer,
  ): Promise<CommandResult<CustomerState>>;
  changeCustomerDetails(
    context: CommandContext,
    command: ChangeCustomerDetails,
  ): Promise<CommandResult<CustomerState>>;
  issueInvoice(
    context: CommandContext,
    command: IssueInvoice,
  ): Promise<CommandResult<InvoiceState>>;
  recordPayment(
    context: CommandContext,
    command: RecordPayment,
  ): Promise<CommandResult<InvoiceState>>;
  voidInvoice(context: CommandContext, command: VoidInvoice): Promise<CommandResult<InvoiceState>>;
}

/** The account codes receivables post to in a currency (see `Config.receivableAccount`). */
export type PostingAccountCodes = (currency: string) => { receivable: string; cash: string };

export function createReceivablesCommands(deps: {
  readonly handle: CommandHandler;
  readonly eventStore: EventStore;
  readonly postingAccounts: PostingAccountCodes;
}): ReceivablesCommands {
  const { handle, eventStore, postingAccounts } = deps;

  async function foldStream<S, E extends DomainEvent>(
    streamId: string,
    schemas: EventSchemas,
    initial: S,
    evolve: (state: S, event: E) => S,
  ): Promise<S> {
    const events = await eventStore.readStream(streamId);
    return events.reduce(
      (state, event) => evolve(state, toDomainEvent<E>(schemas, event)),
      initial,
    );
  }

  const loadAccount = (code: string) =>
    foldStream<AccountState, LedgerEvent>(
      ledgerStreams.account(code),
      ledgerEventSchemas,
      initialAccountState,
      evolveAccount,
    );

  async function loadFacts(
    customerId: string | undefined,
    currency: (customer: CustomerState) => string | undefined,
    accountCodes: readonly string[],
    date: string,
  ): Promise<InvoiceFacts> {
    const customer =
      customerId === undefined
        ? initialCustomerState
        : await foldStream<CustomerState, ReceivablesEvent>(
            receivablesStreams.customer(customerId),
            receivablesEventSchemas,
            initialCustomerState,
            evolveCustomer,
          );
    const accounts = new Map<string, AccountState>();
    for (const code of new Set(accountCodes)) accounts.set(code, await loadAccount(code));
    const codes = postingAccounts(currency(customer) ?? '');
    const closedPeriods = new Set<string>();
    if (isAccountingDate(date)) {
      const period = periodOf(date);
      const state = await foldStream(
        ledgerStreams.period(period),
        ledgerEventSchemas,
        initialPeriodState,
        evolvePeriod,
      );
      if (state.closed) closedPeriods.add(period);
    }
    return {
      customer,
      accounts,
      closedPeriods,
      receivable: { code: codes.receivable, state: await loadAccount(codes.receivable) },
      cash: { code: codes.cash, state: await loadAccount(codes.cash) },
    };
  }

  /**
   * Every invoice command is later posted to the ledger dated like the command, so it holds
   * that period's lock shared, as postings do: a close waits for it and it for a close.
   */
  function invoiceSpec(
    command: IssueInvoice | RecordPayment | VoidInvoice,
    date: string,
    facts: (invoice: InvoiceState) => Promise<InvoiceFacts>,
  ): CommandSpec<InvoiceState, ReceivablesEvent, InvoiceFacts> {
    return {
      streamId: receivablesStreams.invoice(command.invoiceId),
      schemas: receivablesEventSchemas,
      initialState: initialInvoiceState,
      evolve: evolveInvoice,
      locks: isAccountingDate(date)
        ? [streamLock(ledgerStreams.period(periodOf(date)), 'shared')]
        : [],
      loadFacts: facts,
      decide: (state, loaded) => decideInvoice(command, state, loaded),
    };
  }

  const customerSpec = (
    command: RegisterCustomer | ChangeCustomerDetails,
  ): CommandSpec<CustomerState, ReceivablesEvent, undefined> => ({
    streamId: receivablesStreams.customer(command.customerId),
    schemas: receivablesEventSchemas,
    initialState: initialCustomerState,
    evolve: evolveCustomer,
    decide: (state) => decideCustomer(command, state),
  });

  return {
    registerCustomer: (context, command) => handle(context, customerSpec(command)),
    changeCustomerDetails: (context, command) => handle(context, customerSpec(command)),
    issueInvoice: (context, command) =>
      handle(
        context,
        invoiceSpec(command, command.issueDate, () =>
          loadFacts(
            command.customerId,
            (customer) =>
              command.currency ?? (customer.status === 'active' ? customer.currency : undefined),
            command.lines.map((line) => line.revenueAccount),
            command.issueDate,
          ),
        ),
      ),
    recordPayment: (context, command) =>
      handle(
        context,
        invoiceSpec(command, command.receivedOn, (invoice) =>
          loadFacts(undefined, () => currencyOf(invoice), [], command.receivedOn),
        ),
      ),
    voidInvoice: (context, command) =>
      handle(
        context,
        invoiceSpec(command, command.voidedOn, (invoice) =>
          loadFacts(undefined, () => currencyOf(invoice), [], command.voidedOn),
        ),
      ),
  };
}

function currencyOf(invoice: InvoiceState): string | undefined {
  return invoice.status === 'none' ? undefined : invoice.currency;
}
