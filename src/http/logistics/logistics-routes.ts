import { z } from 'zod';
import type { CommandResult } from '../../commands/command-handler.js';
import type { IdGenerator } from '../../commands/ids.js';
import type { LogisticsCommands } from '../../commands/logistics/logistics-commands.js';
import { positionOf, type WarehouseState } from '../../domain/logistics/warehouse.js';
import { divideHalfUp } from '../../domain/logistics/stock-valuation.js';
import type { CurrencyCode } from '../../domain/shared/currency.js';
import { formatAmount } from '../../domain/shared/money.js';
import {
  LOGISTICS_READ_MODELS,
  type createLogisticsQueries,
} from '../../projections/logistics/logistics-queries.js';
import { commandRoute, listRoute, recordRoute, newRecordId } from '../route-builders.js';
import type { Scope } from '../api-keys.js';
import { commandContext, defineRoute, type RequestContext, type RouteSpec } from '../route.js';
import { accountingDate, consistencyQuery } from '../schemas.js';
import {
  adjustmentBody,
  itemBody,
  itemResponse,
  movementAnswer,
  movementResponse,
  receiptBody,
  sku,
  stockResponse,
  valuationResponse,
  READ,
  WRITE,
} from './logistics-schemas.js';
import { shipmentRoutes } from './shipment-routes.js';

export interface LogisticsRouteDeps {
  readonly commands: LogisticsCommands;
  readonly queries: ReturnType<typeof createLogisticsQueries>;
  readonly ids: IdGenerator;
  readonly today: () => string;
  readonly baseCurrency: CurrencyCode;
  readonly mayReadPersonalData: (scopes: readonly Scope[], subject: string) => boolean;
}

export function logisticsRoutes(deps: LogisticsRouteDeps): RouteSpec[] {
  const { commands, queries, ids, today, baseCurrency } = deps;
  const skuParams = z.strictObject({ sku });
  const asOfQuery = z.strictObject({
    asOf: accountingDate.optional().describe('The date the answer is as of; today by default'),
  });

  const newId = (kind: string, given: string | undefined, context: RequestContext) =>
    newRecordId(ids, kind, given, context);

  const stockAnswer = (
    result: CommandResult<WarehouseState>,
    skuCode: string,
    movementId: string,
  ) => {
    const position = positionOf(result.state, skuCode);
    return {
      result,
      body: {
        sku: skuCode,
        movementId,
        onHand: Number(position.onHand),
        value: formatAmount(position.valueMinor, baseCurrency),
        averageCost:
          position.onHand === 0n
            ? null
            : formatAmount(divideHalfUp(position.valueMinor, position.onHand), baseCurrency),
        currency: baseCurrency,
      },
    };
  };

  return [
    commandRoute({
      path: '/v1/items',
      operationId: 'registerItem',
      summary: 'Register an item',
      tag: 'logistics',
      scopes: WRITE,
      body: itemBody,
      success: {
        status: 201,
        description: 'Registered',
        schema: itemResponse.omit({ registeredAt: true }),
      },
      conflict: 'A SKU registered already (`item-already-exists`)',
      async handle({ body, context }) {
        const result = await commands.registerItem(commandContext(context), body);
        return { result, location: `/v1/items/${encodeURIComponent(body.sku)}`, body };
      },
    }),

    listRoute({
      path: '/v1/items',
      operationId: 'listItems',
      summary: 'Items by SKU',
      tag: 'logistics',
      scopes: READ,
      readModels: LOGISTICS_READ_MODELS.items,
      item: itemResponse,
      pageDescription: 'A page of items',
      handle: ({ query }) => queries.listItems(query),
    }),

    recordRoute({
      path: '/v1/items/{sku}',
      operationId: 'getItem',
      summary: 'An item',
      tag: 'logistics',
      scopes: READ,
      params: skuParams,
      readModels: LOGISTICS_READ_MODELS.items,
      response: { description: 'The item', schema: itemResponse },
      notFound: {
        description: 'No such item',
        detail: ({ sku: code }) => `No item has SKU ${code}`,
      },
      async handle({ params }) {
        const found = await queries.item(params.sku);
        return found && { body: found, revision: 0 };
      },
    }),

    commandRoute({
      path: '/v1/stock/{sku}/receipts',
      operationId: 'receiveStock',
      summary: 'Receive stock at a cost',
      description:
        'On hand rises by quantity, value by quantity × unitCost; posts debit inventory, credit goods received not invoiced, dated receivedOn.',
      tag: 'logistics',
      scopes: WRITE,
      params: skuParams,
      body: receiptBody,
      success: { status: 201, description: 'Received', schema: movementAnswer },
      invalid: '`invalid-stock-movement`: a unit cost with more decimals than the base currency',
      conflict:
        'Unknown SKU (`unknown-item`); a receipt id already recorded; dated before the SKU last moved (`movement-before-last`); a closed period',
      async handle({ params, body, context }) {
        const receiptId = newId('receipt', body.receiptId, context);
        const result = await commands.receiveStock(commandContext(context), {
          ...body,
          receiptId,
          sku: params.sku,
        });
        return stockAnswer(result, params.sku, receiptId);
      },
    }),

    commandRoute({
      path: '/v1/stock/{sku}/adjustments',
      operationId: 'adjustStock',
      summary: 'Adjust stock to a count, or by a delta',
      description:
        'Exactly one of countedQuantity and delta. Valued at the moving average cost (units found with none on hand at the last unit cost received); posts against inventory adjustments.',
      tag: 'logistics',
      scopes: WRITE,
      params: skuParams,
      body: adjustmentBody,
      success: { status: 201, description: 'Adjusted', schema: movementAnswer },
      invalid: '`invalid-stock-movement`: both or neither of countedQuantity and delta',
      conflict:
        'Unknown SKU; a result below zero (`stock-below-zero`); dated before the SKU last moved; no cost known for units found',
      async handle({ params, body, context }) {
        const adjustmentId = newId('adjustment', body.adjustmentId, context);
        const result = await commands.adjustStock(commandContext(context), {
          ...body,
          adjustmentId,
          sku: params.sku,
        });
        return stockAnswer(result, params.sku, adjustmentId);
      },
    }),

    listRoute({
      path: '/v1/stock',
      operationId: 'listStock',
      summary: 'Stock on hand, value and average cost per SKU, as of a date',
      tag: 'logistics',
      scopes: READ,
      filters: asOfQuery,
      readModels: LOGISTICS_READ_MODELS.stock,
      item: stockResponse,
      pageDescription: 'A page of SKUs',
      handle: ({ query }) => queries.listStock({ ...query, asOf: query.asOf ?? today() }),
    }),

    recordRoute({
      path: '/v1/stock/{sku}',
      operationId: 'getStock',
      summary: "A SKU's stock as of a date",
      tag: 'logistics',
      scopes: READ,
      params: skuParams,
      query: asOfQuery,
      readModels: LOGISTICS_READ_MODELS.stock,
      response: { description: 'The stock', schema: stockResponse },
      notFound: {
        description: 'No such item',
        detail: ({ sku: code }) => `No item has SKU ${code}`,
      },
      async handle({ params, query }) {
        const found = await queries.stock(params.sku, query.asOf ?? today());
        return found && { body: found, revision: 0 };
      },
    }),

    listRoute({
      path: '/v1/stock/{sku}/movements',
      operationId: 'listStockMovements',
      summary: "A SKU's stock ledger",
      description:
        'Every movement in order, with the quantity and value after it; from and to bound its date.',
      tag: 'logistics',
      scopes: READ,
      params: skuParams,
      filters: z.strictObject({ from: accountingDate.optional(), to: accountingDate.optional() }),
      readModels: LOGISTICS_READ_MODELS.stock,
      item: movementResponse,
      pageDescription: 'A page of movements',
      notFound: {
        description: 'No such item',
        detail: ({ sku: code }) => `No item has SKU ${code}`,
      },
      async handle({ params, query }) {
        if (!(await queries.item(params.sku))) return undefined;
        return queries.movements(params.sku, query);
      },
    }),

    defineRoute({
      method: 'get',
      path: '/v1/reports/stock-valuation',
      operationId: 'stockValuationReport',
      summary: 'Stock valuation per SKU and in total, as of a date',
      description:
        "The total equals the inventory account's balance as of the same date, as long as nothing else is posted to it.",
      tag: 'logistics',
      scopes: READ,
      query: consistencyQuery.extend({ asOf: accountingDate.optional() }),
      readModels: LOGISTICS_READ_MODELS.stock,
      responses: { 200: { description: 'The valuation', schema: valuationResponse } },
      async handle({ query }) {
        return { status: 200, body: await queries.valuation(query.asOf ?? today()) };
      },
    }),

    ...shipmentRoutes(deps),
  ];
}
