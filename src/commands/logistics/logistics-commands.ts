/**
 * Logistics commands. Items and shipments have streams of their own; every stock movement is
 * decided in the warehouse's one stream. Packing touches two streams, stock first:
 *
 * 1. the shipment must be `created` (else 404 or 409, nothing taken);
 * 2. `IssueStock` takes every line or none in the warehouse stream (once per shipment);
 * 3. `MarkShipmentPacked` records it on the shipment.
 *
 * Cancelling is the other way round: the shipment is cancelled, then `ReturnStock` brings back
 * whatever its pack took. A crash or a race between the two steps of either leaves the two
 * streams apart for a moment; the stock reconciler (src/projections/logistics) closes the gap
 * from the events: stock taken for a shipment still `created` marks it packed, and stock taken
 * for a cancelled shipment comes back. The books follow the warehouse stream alone, so they are
 * right at every moment.
 */
import type {
  AdjustStock,
  CancelShipment,
  CreateShipment,
  DeliverShipment,
  DispatchShipment,
  ReceiveStock,
  RegisterItem,
  ReturnStock,
  StockCommand,
} from '../../domain/logistics/commands.js';
import { logisticsEventSchemas } from '../../domain/logistics/events.js';
import { itemDecider, type ItemState } from '../../domain/logistics/item.js';
import {
  refuseUnlessPackable,
  shipmentDecider,
  type ShipmentState,
} from '../../domain/logistics/shipment.js';
import { logisticsStreams } from '../../domain/logistics/streams.js';
import {
  warehouseDecider,
  type WarehouseFacts,
  type WarehouseState,
} from '../../domain/logistics/warehouse.js';
import { customerDecider } from '../../domain/receivables/customer.js';
import { receivablesEventSchemas } from '../../domain/receivables/events.js';
import { receivablesStreams } from '../../domain/receivables/streams.js';
import { isDomainError } from '../../domain/shared/errors.js';
import type { CommandContext } from '../command-context.js';
import type { CommandHandler, CommandResult } from '../command-handler.js';
import type { PostingRules } from '../ledger/posting-rules.js';
import type { StateReader } from '../read-state.js';

/** The accounts stock is posted to, in the base currency. */
export interface LogisticsAccounts {
  readonly inventory: string;
  readonly goodsReceived: string;
  readonly adjustments: string;
  readonly costOfGoodsSold: string;
}

type WithoutType<T> = Omit<T, 'type' | 'currency'>;

export interface LogisticsCommands {
  registerItem(
    context: CommandContext,
    command: WithoutType<RegisterItem>,
  ): Promise<CommandResult<ItemState>>;
  receiveStock(
    context: CommandContext,
    command: WithoutType<ReceiveStock>,
  ): Promise<CommandResult<WarehouseState>>;
  adjustStock(
    context: CommandContext,
    command: WithoutType<AdjustStock>,
  ): Promise<CommandResult<WarehouseState>>;
  createShipment(
    context: CommandContext,
    command: WithoutType<CreateShipment>,
  ): Promise<CommandResult<ShipmentState>>;
  packShipment(
    context: CommandContext,
    command: { readonly shipmentId: string; readonly packedOn: string },
  ): Promise<CommandResult<ShipmentState>>;
  dispatchShipment(
    context: CommandContext,
    command: WithoutType<DispatchShipment>,
  ): Promise<CommandResult<ShipmentState>>;
  deliverShipment(
    context: CommandContext,
    command: WithoutType<DeliverShipment>,
  ): Promise<CommandResult<ShipmentState>>;
  cancelShipment(
    context: CommandContext,
    command: WithoutType<CancelShipment>,
  ): Promise<CommandResult<ShipmentState>>;
  /** Marks packed a shipment whose stock was taken; gives back the stock of a cancelled one. */
  reconcileShipment(context: CommandContext, shipmentId: string): Promise<void>;
}

export function createLogisticsCommands(deps: {
  readonly handle: CommandHandler;
  readonly readState: StateReader;
  readonly postingRules: PostingRules;
  readonly accounts: LogisticsAccounts;
  readonly baseCurrency: string;
}): LogisticsCommands {
  const { handle, readState, postingRules, accounts, baseCurrency } = deps;
  const schemas = logisticsEventSchemas;

  const shipmentState = (shipmentId: string) =>
    readState(logisticsStreams.shipment(shipmentId), shipmentDecider, schemas);
  const warehouseState = () => readState(logisticsStreams.warehouse(), warehouseDecider, schemas);

  async function registeredSkus(skus: readonly string[]): Promise<Set<string>> {
    const registered = new Set<string>();
    for (const sku of new Set(skus)) {
      const item = await readState(logisticsStreams.item(sku), itemDecider, schemas);
      if (item.status === 'registered') registered.add(sku);
    }
    return registered;
  }

  async function warehouseFacts(skus: readonly string[], date: string): Promise<WarehouseFacts> {
    const account = async (code: string) => ({ code, state: await postingRules.account(code) });
    return {
      ...(await postingRules.facts([], [date])),
      registeredSkus: await registeredSkus(skus),
      inventory: await account(accounts.inventory),
      goodsReceived: await account(accounts.goodsReceived),
      adjustmentsAccount: await account(accounts.adjustments),
      costOfGoodsSold: await account(accounts.costOfGoodsSold),
    };
  }

  /** Every movement holds its date's period lock shared, as postings do. */
  const onWarehouse = (
    context: CommandContext,
    command: StockCommand,
    date: string,
    skus: (state: WarehouseState) => readonly string[],
  ) =>
    handle(context, {
      streamId: logisticsStreams.warehouse(),
      decider: warehouseDecider,
      schemas,
      command,
      locks: postingRules.locks(date),
      facts: (state) => warehouseFacts(skus(state), date),
    });

  const onShipment = (
    context: CommandContext,
    command: Parameters<typeof shipmentDecider.decide>[0],
    facts: () => Promise<Parameters<typeof shipmentDecider.decide>[2]> = async () => ({}),
  ) =>
    handle(context, {
      streamId: logisticsStreams.shipment(command.shipmentId),
      decider: shipmentDecider,
      schemas,
      command,
      facts,
    });

  /** Brings back the stock of a cancelled shipment; nothing when none was taken or it is back. */
  const returnStock = (context: CommandContext, command: WithoutType<ReturnStock>) =>
    onWarehouse(
      context,
      { type: 'ReturnStock', ...command, currency: baseCurrency },
      command.returnedOn,
      () => [],
    );

  return {
    registerItem: (context, command) =>
      handle(context, {
        streamId: logisticsStreams.item(command.sku),
        decider: itemDecider,
        schemas,
        command: { type: 'RegisterItem', ...command },
      }),

    receiveStock: (context, command) =>
      onWarehouse(
        context,
        { type: 'ReceiveStock', ...command, currency: baseCurrency },
        command.receivedOn,
        () => [command.sku],
      ),

    adjustStock: (context, command) =>
      onWarehouse(
        context,
        { type: 'AdjustStock', ...command, currency: baseCurrency },
        command.adjustedOn,
        () => [command.sku],
      ),

    createShipment: (context, command) =>
      onShipment(context, { type: 'CreateShipment', ...command }, async () => {
        const customer = await readState(
          receivablesStreams.customer(command.customerId),
          customerDecider,
          receivablesEventSchemas,
        );
        return {
          customerExists: customer.status !== 'none',
          registeredSkus: await registeredSkus(command.items.map((line) => line.sku)),
        };
      }),

    async packShipment(context, { shipmentId, packedOn }) {
      const shipment = await shipmentState(shipmentId);
      // Refused as the shipment would refuse it (404, 409, a date before its last step), before
      // any stock is taken.
      refuseUnlessPackable(shipment, shipmentId);
      shipmentDecider.decide(
        { type: 'MarkShipmentPacked', shipmentId, packedOn, totalCost: '0' },
        shipment,
        {},
      );
      const taken = await onWarehouse(
        context,
        {
          type: 'IssueStock',
          shipmentId,
          issuedOn: packedOn,
          lines: shipment.items,
          currency: baseCurrency,
        },
        packedOn,
        () => shipment.items.map((line) => line.sku),
      );
      const issued = taken.state.shipments.get(shipmentId);
      if (!issued) throw new Error(`The stock of shipment ${shipmentId} was not taken`);
      if (taken.events.length === 0 && !taken.replayed) {
        // Another request took it first: this one packs nothing, and says so, unless that one
        // died before recording the pack, which this one then completes.
        refuseUnlessPackable(await shipmentState(shipmentId), shipmentId);
      }
      try {
        return await onShipment(context, {
          type: 'MarkShipmentPacked',
          shipmentId,
          packedOn: issued.issuedOn,
          totalCost: issued.totalCost,
        });
      } catch (error) {
        // Cancelled while its stock was being taken: give the stock back, then say no.
        if (isDomainError(error) && (await shipmentState(shipmentId)).status === 'cancelled') {
          await returnStock(context, {
            shipmentId,
            returnedOn: packedOn,
            reason: 'cancelled while it was being packed',
          });
        }
        throw error;
      }
    },

    dispatchShipment: (context, command) =>
      onShipment(context, { type: 'DispatchShipment', ...command }),

    deliverShipment: (context, command) =>
      onShipment(context, { type: 'DeliverShipment', ...command }),

    async cancelShipment(context, command) {
      const result = await onShipment(context, { type: 'CancelShipment', ...command });
      const returned = await returnStock(context, {
        shipmentId: command.shipmentId,
        returnedOn: command.cancelledOn,
        reason: command.reason,
      });
      // The answer's position covers the return too, so a read after it sees the stock back.
      return returned.events.length > 0 && returned.position > result.position
        ? { ...result, position: returned.position }
        : result;
    },

    async reconcileShipment(context, shipmentId) {
      const shipment = await shipmentState(shipmentId);
      const issued = (await warehouseState()).shipments.get(shipmentId);
      if (shipment.status === 'none' || !issued || issued.returned) return;
      if (shipment.status === 'created') {
        await onShipment(context, {
          type: 'MarkShipmentPacked',
          shipmentId,
          packedOn: issued.issuedOn,
          totalCost: issued.totalCost,
        });
      } else if (shipment.status === 'cancelled') {
        await returnStock(context, {
          shipmentId,
          returnedOn: shipment.lastDate ?? issued.issuedOn,
          reason: 'cancelled while it was being packed',
        });
      }
    },
  };
}
