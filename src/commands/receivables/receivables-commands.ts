import type {
  ChangeCustomerDetails,
  ChangeTaxRate,
  CreateTaxCode,
  CustomerCommand,
  EraseCustomerPersonalData,
  InvoiceCommand,
  IssueCreditNote,
  IssueInvoice,
  RecordPayment,
  RefundCustomer,
  RegisterCustomer,
  TaxCodeCommand,
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
import { invoiceCreditAsOf } from '../../domain/receivables/refund.js';
import {
  taxCodeDecider,
  type TaxCodeFacts,
  type TaxCodeState,
} from '../../domain/receivables/tax-code.js';
import { plaintextPersonalFields } from '../../domain/receivables/upcast.js';
import { receivablesStreams } from '../../domain/receivables/streams.js';
import type { EventStore } from '../../stores/event-store.js';
import type { CommandContext } from '../command-context.js';
import { streamLock, type CommandHandler, type CommandResult } from '../command-handler.js';
import type { PostingRules } from '../ledger/posting-rules.js';
import type { PersonalDataVault } from '../personal-data/vault.js';
import type { LockRequest } from '../keyed-lock.js';
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
  issueCreditNote(
    context: CommandContext,
    command: IssueCreditNote,
  ): Promise<CommandResult<InvoiceState>>;
  refundCustomer(
    context: CommandContext,
    command: RefundCustomer,
  ): Promise<CommandResult<CustomerState>>;
  createTaxCode(
    context: CommandContext,
    command: CreateTaxCode,
  ): Promise<CommandResult<TaxCodeState>>;
  changeTaxRate(
    context: CommandContext,
    command: ChangeTaxRate,
  ): Promise<CommandResult<TaxCodeState>>;
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
    accounts: readonly string[],
    date: string,
    taxCodeIds: readonly string[] = [],
  ): Promise<InvoiceFacts> {
    const codes = postingAccounts(currency ?? '');
    const taxCodes = new Map<string, TaxCodeState>();
    for (const code of new Set(taxCodeIds)) taxCodes.set(code, await taxCodeState(code));
    const outputAccounts = [...taxCodes.values()].flatMap((taxCode) =>
      taxCode.status === 'active' ? [taxCode.outputAccount] : [],
    );
    return {
      customer,
      ...(await postingRules.facts([...accounts, ...outputAccounts], [date])),
      receivable: { code: codes.receivable, state: await postingRules.account(codes.receivable) },
      cash: { code: codes.cash, state: await postingRules.account(codes.cash) },
      taxCodes,
    };
  }

  const taxCodeState = (code: string) =>
    readState(receivablesStreams.taxCode(code), taxCodeDecider, receivablesEventSchemas);

  const onTaxCode = (
    context: CommandContext,
    command: TaxCodeCommand,
    facts: () => Promise<TaxCodeFacts>,
  ) =>
    handle(context, {
      streamId: receivablesStreams.taxCode(command.code),
      decider: taxCodeDecider,
      schemas: receivablesEventSchemas,
      command,
      facts,
      // A rate may not start in a closed month: a close waits for the change, as for a posting.
      ...(command.type === 'ChangeTaxRate'
        ? { locks: postingRules.locks(command.effectiveFrom) }
        : {}),
    });

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
    command: CustomerCommand,
    facts?: (customer: CustomerState) => Promise<CustomerFacts>,
    locks: LockRequest[] = [],
  ) =>
    handle(context, {
      streamId: receivablesStreams.customer(command.customerId),
      decider: customerDecider,
      schemas: receivablesEventSchemas,
      command,
      ...(facts ? { facts } : {}),
      ...(locks.length > 0 ? { locks } : {}),
    });

  /**
   * The ids of the customer's invoices that have an event of `type` in the log, read from the
   * log itself (read models may lag): every event of the type is read, as no index of invoices
   * by customer is kept command-side. Erasures read every `InvoiceIssued`; refunds only the
   * `CreditNoteIssued`, as only a credit note leaves a customer credit.
   */
  async function invoicesOf(
    customerId: string,
    type: 'InvoiceIssued' | 'CreditNoteIssued',
  ): Promise<string[]> {
    const invoiceIds = new Set<string>();
    for (let after: bigint | undefined; ;) {
      const page = await eventStore.readAll({
        filter: { eventTypes: [type] },
        maxCount: INVOICE_SCAN_PAGE,
        ...(after === undefined ? {} : { after }),
      });
      for (const event of page) {
        if (event.data.customerId === customerId) invoiceIds.add(String(event.data.invoiceId));
      }
      if (page.length < INVOICE_SCAN_PAGE) break;
      after = page.at(-1)!.position;
    }
    return [...invoiceIds];
  }

  const invoiceState = (invoiceId: string) =>
    readState(receivablesStreams.invoice(invoiceId), invoiceDecider, receivablesEventSchemas);

  /**
   * The customer's invoices not settled in full and not void, from the log itself: read models
   * may lag behind an invoice just issued. Each is folded from its own stream.
   */
  async function outstandingInvoicesOf(customerId: string): Promise<string[]> {
    const outstanding: string[] = [];
    for (const invoiceId of await invoicesOf(customerId, 'InvoiceIssued')) {
      const invoice = await invoiceState(invoiceId);
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
          const taxCodes = command.lines.flatMap((line) =>
            line.taxCode === undefined ? [] : [line.taxCode],
          );
          return invoiceFacts(customer, currency, revenueAccounts, command.issueDate, taxCodes);
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
    issueCreditNote: (context, command) =>
      onInvoice(context, command, command.date, (invoice) =>
        invoiceFacts(
          customerDecider.initialState,
          invoiceCurrency(invoice),
          invoice.status === 'none' ? [] : invoice.lines.map((line) => line.revenueAccount),
          command.date,
          invoice.status === 'none' ? [] : invoice.taxes.map((tax) => tax.taxCode),
        ),
      ),

    /**
     * The credit a refund may spend is read from the log: each invoice of the customer with a
     * credit note, folded from its stream. A credit note recorded meanwhile only adds credit, so
     * a refund never spends credit that is not there; two refunds serialise on the customer's
     * stream.
     */
    refundCustomer: (context, command) =>
      onCustomer(
        context,
        command,
        async (customer) => {
          const codes = postingAccounts(customer.status === 'active' ? customer.currency : '');
          let creditAsOfMinor = 0n;
          for (const invoiceId of await invoicesOf(command.customerId, 'CreditNoteIssued')) {
            const invoice = await invoiceState(invoiceId);
            if (invoice.status !== 'none') {
              creditAsOfMinor += invoiceCreditAsOf(invoice, command.paidOn);
            }
          }
          return {
            refund: {
              creditAsOfMinor,
              ...(await postingRules.facts([], [command.paidOn])),
              receivable: {
                code: codes.receivable,
                state: await postingRules.account(codes.receivable),
              },
              cash: { code: codes.cash, state: await postingRules.account(codes.cash) },
            },
          };
        },
        postingRules.locks(command.paidOn),
      ),

    createTaxCode: (context, command) =>
      onTaxCode(context, command, async () => ({
        outputAccount: await postingRules.account(command.outputAccount),
      })),
    changeTaxRate: (context, command) =>
      onTaxCode(context, command, async () => ({
        closedPeriods: (await postingRules.facts([], [command.effectiveFrom])).closedPeriods,
      })),

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
