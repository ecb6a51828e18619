import type {
  ChangeCustomerDetails,
  EraseCustomerPersonalData,
  InvoiceCommand,
  IssueInvoice,
  RecordPayment,
  RegisterCustomer,
  VoidInvoice,
} from '../../domain/receivables/commands.js';
import {
  customerDecider,
  type CustomerFacts,
  type CustomerState,
} from '../../domain/receivables/customer.js';
import { receivablesEventSchemas } from '../../domain/receivables/events.js';
import {
  invoiceDecider,
  invoiceStatus,
  type InvoiceFacts,
  type InvoiceState,
} from '../../domain/receivables/invoice.js';
import { plaintextPersonalFields } from '../../domain/receivables/upcast.js';
import { receivablesStreams } from '../../domain/receivables/streams.js';
import type { EventStore } from '../../stores/event-store.js';
import type { CommandContext } from '../command-context.js';
import { streamLock, type CommandHandler, type CommandResult } from '../command-handler.js';
import type { PostingRules } from '../ledger/posting-rules.js';
import type { PersonalDataVault } from '../personal-data/vault.js';
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
  /** Destroys the customer's key, then records the erasure; see `createReceivablesCommands`. */
  eraseCustomerPersonalData(
    context: CommandContext,
    command: Omit<EraseCustomerPersonalData, 'erasedAt'>,
  ): Promise<CommandResult<CustomerState>>;
}

/** How many InvoiceIssued events an erasure's scan of the log reads at a time. */
const INVOICE_SCAN_PAGE = 1000;

/** The account codes receivables post to in a currency (see the receivables module settings). */
export type PostingAccountCodes = (currency: string) => { receivable: string; cash: string };

export function createReceivablesCommands(deps: {
  readonly handle: CommandHandler;
  /** How the customer an invoice is issued to is read. */
  readonly readState: StateReader;
  readonly postingRules: PostingRules;
  readonly postingAccounts: PostingAccountCodes;
  /**
   * The log as stored (personal fields sealed, not opened): what an erasure reads the
   * customer's invoices and the schema of its history from.
   */
  readonly eventStore: Pick<EventStore, 'readAll' | 'readStream'>;
  /** Erasure destroys the customer's key here. */
  readonly personalData: Pick<PersonalDataVault, 'erase'>;
  readonly clock: () => Date;
}): ReceivablesCommands {
  const { handle, readState, postingRules, postingAccounts, eventStore, personalData, clock } =
    deps;

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
    customerId?: string,
  ) =>
    handle(context, {
      streamId: receivablesStreams.invoice(command.invoiceId),
      decider: invoiceDecider,
      schemas: receivablesEventSchemas,
      command,
      locks: [
        ...postingRules.locks(date),
        // An issue holds its customer's stream shared, so an erasure (which holds it alone
        // while it looks for outstanding invoices) cannot miss one issued meanwhile.
        ...(customerId === undefined
          ? []
          : [streamLock(receivablesStreams.customer(customerId), 'shared')]),
      ],
      facts,
    });

  const onCustomer = (
    context: CommandContext,
    command: RegisterCustomer | ChangeCustomerDetails | EraseCustomerPersonalData,
    facts?: (customer: CustomerState) => Promise<CustomerFacts>,
  ) =>
    handle(context, {
      streamId: receivablesStreams.customer(command.customerId),
      decider: customerDecider,
      schemas: receivablesEventSchemas,
      command,
      ...(facts ? { facts } : {}),
    });

  /**
   * The customer's invoices not paid in full and not void, from the log itself: read models may
   * lag behind an invoice just issued. Every InvoiceIssued is read (erasures are rare, and no
   * index of invoices by customer is kept command-side); each of the customer's invoices is
   * then folded from its own stream.
   */
  async function outstandingInvoicesOf(customerId: string): Promise<string[]> {
    const invoiceIds: string[] = [];
    for (let after: bigint | undefined; ;) {
      const page = await eventStore.readAll({
        filter: { eventTypes: ['InvoiceIssued'] },
        maxCount: INVOICE_SCAN_PAGE,
        ...(after === undefined ? {} : { after }),
      });
      for (const event of page) {
        if (event.data.customerId === customerId) invoiceIds.push(String(event.data.invoiceId));
      }
      if (page.length < INVOICE_SCAN_PAGE) break;
      after = page.at(-1)!.position;
    }
    const outstanding: string[] = [];
    for (const invoiceId of invoiceIds) {
      const invoice = await readState(
        receivablesStreams.invoice(invoiceId),
        invoiceDecider,
        receivablesEventSchemas,
      );
      if (invoice.status === 'none') continue;
      const status = invoiceStatus(invoice);
      if (status === 'open' || status === 'partially_paid') outstanding.push(invoiceId);
    }
    return outstanding;
  }

  /** The revisions of the customer's stored events that hold personal data in plain text. */
  async function plaintextEventsOf(customerId: string): Promise<bigint[]> {
    const events = await eventStore.readStream(receivablesStreams.customer(customerId));
    return events
      .filter((event) => plaintextPersonalFields(event).length > 0)
      .map((event) => event.revision);
  }

  const invoiceCurrency = (invoice: InvoiceState) =>
    invoice.status === 'none' ? undefined : invoice.currency;

  return {
    registerCustomer: (context, command) => onCustomer(context, command),
    changeCustomerDetails: (context, command) => onCustomer(context, command),
    issueInvoice: (context, command) =>
      onInvoice(
        context,
        command,
        command.issueDate,
        async () => {
          const customer = await customerState(command.customerId);
          const currency =
            command.currency ?? (customer.status === 'active' ? customer.currency : undefined);
          const revenueAccounts = command.lines.map((line) => line.revenueAccount);
          return invoiceFacts(customer, currency, revenueAccounts, command.issueDate);
        },
        command.customerId,
      ),
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

    /**
     * The key goes first, as for employees: an erasure recorded while the key survived would be
     * a lie no retry could mend (a second erasure is refused). It is destroyed under the
     * customer's stream lock, once the decider, run on the same state and facts, would accept
     * the erasure; so a refused erasure destroys nothing, and a crash between the two leaves a
     * destroyed key that a retry records.
     */
    eraseCustomerPersonalData: (context, request) => {
      const command: EraseCustomerPersonalData = { ...request, erasedAt: clock().toISOString() };
      return onCustomer(context, command, async (state) => {
        const facts: CustomerFacts = {
          plaintextEvents: await plaintextEventsOf(command.customerId),
          outstandingInvoices: await outstandingInvoicesOf(command.customerId),
        };
        customerDecider.decide(command, state, facts);
        await personalData.erase(receivablesStreams.customer(command.customerId));
        return facts;
      });
    },
  };
}
