/**
 * Logistics' two reactors.
 *
 * `logistics_ledger_postings` posts every stock movement, dated like it, in the base currency:
 *
 * - `StockReceived`: debit inventory (13000), credit goods received not invoiced (20500);
 * - `StockAdjusted`: inventory against inventory adjustments (51000), either way;
 * - `StockIssued`: debit cost of goods sold (50000), credit inventory;
 * - `StockReturned`: the mirror of the issue, dated the return.
 *
 * So the inventory account's balance is the stock's value at every date. Entry ids derive from
 * the source event (`stock-<kind>-<event id>`), so an event reacted to twice posts once, and a
 * movement valued at zero posts nothing.
 *
 * `logistics_stock_reconciler` closes the gap a crash or a race leaves between the warehouse's
 * stream and a shipment's (see createLogisticsCommands): after `StockIssued` and after
 * `ShipmentCancelled` it brings the shipment and its stock into step.
 */
import type { LedgerCommands } from '../../commands/ledger/ledger-commands.js';
import type {
  LogisticsAccounts,
  LogisticsCommands,
} from '../../commands/logistics/logistics-commands.js';
import type { RequestedLine } from '../../domain/ledger/commands.js';
import { logisticsEventSchemas } from '../../domain/logistics/events.js';
import { isDomainError } from '../../domain/shared/errors.js';
import { decodeEventOf } from '../../domain/shared/event-schemas.js';
import type { RecordedEvent } from '../../stores/event-store.js';
import { reactionContext } from '../reaction-context.js';
import type { Reactor } from '../reactor.js';

export const LOGISTICS_POSTINGS_ACTOR = 'system:logistics-postings';
export const STOCK_RECONCILER_ACTOR = 'system:stock-reconciler';

export const stockEntryId = (kind: string, eventId: string) => `stock-${kind}-${eventId}`;

export function createLogisticsPostingsReactor(deps: {
  readonly ledger: LedgerCommands;
  readonly accounts: LogisticsAccounts;
}): Reactor {
  const { ledger, accounts } = deps;

  async function post(
    recorded: RecordedEvent,
    kind: string,
    date: string,
    description: string,
    amount: string,
    debit: string,
    credit: string,
  ): Promise<void> {
    const negative = amount.startsWith('-');
    const magnitude = negative ? amount.slice(1) : amount;
    if (/^0(\.0+)?$/.test(magnitude)) return;
    const lines: RequestedLine[] = negative
      ? [
          { account: credit, debit: magnitude },
          { account: debit, credit: magnitude },
        ]
      : [
          { account: debit, debit: magnitude },
          { account: credit, credit: magnitude },
        ];
    try {
      await ledger.postJournalEntry(
        reactionContext(LOGISTICS_POSTINGS_ACTOR, 'posting', recorded),
        {
          type: 'PostJournalEntry',
          entryId: stockEntryId(kind, recorded.id),
          date,
          description,
          lines,
        },
      );
    } catch (error) {
      if (isDomainError(error) && error.refusal.code === 'JournalEntryAlreadyExists') return;
      throw error;
    }
  }

  return {
    name: 'logistics_ledger_postings',
    eventTypes: ['StockReceived', 'StockAdjusted', 'StockIssued', 'StockReturned'],
    emits: ['JournalEntryPosted'],
    async react(recorded) {
      const event = decodeEventOf(logisticsEventSchemas, recorded);
      switch (event.type) {
        case 'StockReceived': {
          const { data } = event;
          return post(
            recorded,
            'receipt',
            data.receivedOn,
            `${data.quantity} × ${data.sku} received (${data.reference})`,
            data.value,
            accounts.inventory,
            accounts.goodsReceived,
          );
        }
        case 'StockAdjusted': {
          const { data } = event;
          return post(
            recorded,
            'adjustment',
            data.adjustedOn,
            `${data.sku} adjusted by ${data.delta}: ${data.reason}`,
            data.valueChange,
            accounts.inventory,
            accounts.adjustments,
          );
        }
        case 'StockIssued':
          return post(
            recorded,
            'issue',
            event.data.issuedOn,
            `Shipment ${event.data.shipmentId} packed`,
            event.data.totalCost,
            accounts.costOfGoodsSold,
            accounts.inventory,
          );
        case 'StockReturned':
          return post(
            recorded,
            'return',
            event.data.returnedOn,
            `Shipment ${event.data.shipmentId} cancelled: its stock returned`,
            event.data.totalCost,
            accounts.inventory,
            accounts.costOfGoodsSold,
          );
        default:
          return;
      }
    },
  };
}

export function createStockReconciler(deps: { readonly logistics: LogisticsCommands }): Reactor {
  return {
    name: 'logistics_stock_reconciler',
    eventTypes: ['StockIssued', 'ShipmentCancelled'],
    emits: ['ShipmentPacked', 'StockReturned'],
    async react(recorded) {
      const event = decodeEventOf(logisticsEventSchemas, recorded);
      if (event.type !== 'StockIssued' && event.type !== 'ShipmentCancelled') return;
      await deps.logistics.reconcileShipment(
        reactionContext(STOCK_RECONCILER_ACTOR, 'reconcile', recorded),
        event.data.shipmentId,
      );
    },
  };
}
