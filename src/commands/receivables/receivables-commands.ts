import type {
  ChangeCustomerDetails,
  InvoiceCommand,
  IssueInvoice,
  RecordPayment,
  RegisterCustomer,
  VoidInvoice,
} from '../../domain/receivables/commands.js';
import { customerDecider, type CustomerState } from '../../domain/receivables/customer.js';
import { receivablesEventSchemas } from '../../domain/receivables/events.js';
import {
  invoiceDecider,
  type InvoiceFacts,
  type InvoiceState,
} from '../../domain/receivables/invoice.js';
import { receivablesStreams } from '../../domain/receivables/streams.js';
import type { CommandContext } from '../command-context.js';
import type { CommandHandler, CommandResult } from '../command-handler.js';
import type { PostingRules } from '../ledger/posting-rules.js';
import type { StateReader } from '../read-state.js';

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

/** The account codes receivables post to in a currency (see the receivables module settings). */
export type PostingAccountCodes = (currency: string) => { receivable: string; cash: string };

export function createReceivablesCommands(deps: {
  readonly handle: CommandHandler;
  /** How the customer an invoice is issued to is read. */
  readonly readState: StateReader;
  readonly postingRules: PostingRules;
  readonly postingAccounts: PostingAccountCodes;
}): ReceivablesCommands {
  const { handle, readState, postingRules, postingAccounts } = deps;

  const customerState = (customerId: string) =>
    readState(receivablesStreams.customer(customerId), customerDecider, receivablesEventSchemas);

  /** The ledger facts of a posting dated `date`, plus the accounts receivables post to. */
  async function invoiceFacts(
    customer: CustomerState,
    currency: string | undefined,
    revenueAccounts: readonly string[],
    date: string,
  ): Promise<InvoiceFacts> {
    const codes = postingAccounts(currency ?? '');
    return {
      customer,
      ...(await postingRules.facts(revenueAccounts, [date])),
      receivable: { code: codes.receivable, state: await postingRules.account(codes.receivable) },
      cash: { code: codes.cash, state: await postingRules.account(codes.cash) },
    };
  }

  /**
   * Every invoice command is later posted to the ledger dated like the command, so it holds
   * that period's lock shared, as postings do: a close waits for it and it for a close.
   */
  const onInvoice = (
    context: CommandContext,
    command: InvoiceCommand,
    date: string,
    facts: (invoice: InvoiceState) => Promise<InvoiceFacts>,
  ) =>
    handle(context, {
      streamId: receivablesStreams.invoice(command.invoiceId),
      decider: invoiceDecider,
      schemas: receivablesEventSchemas,
      command,
      locks: postingRules.locks(date),
      facts,
    });

  const onCustomer = (context: CommandContext, command: RegisterCustomer | ChangeCustomerDetails) =>
    handle(context, {
      streamId: receivablesStreams.customer(command.customerId),
      decider: customerDecider,
      schemas: receivablesEventSchemas,
      command,
    });

  const invoiceCurrency = (invoice: InvoiceState) =>
    invoice.status === 'none' ? undefined : invoice.currency;

  return {
    registerCustomer: onCustomer,
    changeCustomerDetails: onCustomer,
    issueInvoice: (context, command) =>
      onInvoice(context, command, command.issueDate, async () => {
        const customer = await customerState(command.customerId);
        const currency =
          command.currency ?? (customer.status === 'active' ? customer.currency : undefined);
        const revenueAccounts = command.lines.map((line) => line.revenueAccount);
        return invoiceFacts(customer, currency, revenueAccounts, command.issueDate);
      }),
    recordPayment: (context, command) =>
      onInvoice(context, command, command.receivedOn, (invoice) =>
        invoiceFacts(
          customerDecider.initialState,
          invoiceCurrency(invoice),
          [],
          command.receivedOn,
        ),
      ),
    voidInvoice: (context, command) =>
      onInvoice(context, command, command.voidedOn, (invoice) =>
        invoiceFacts(customerDecider.initialState, invoiceCurrency(invoice), [], command.voidedOn),
      ),
  };
}
