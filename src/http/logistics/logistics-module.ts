import { z } from 'zod';
import {
  createLogisticsCommands,
  type LogisticsAccounts,
  type LogisticsCommands,
} from '../../commands/logistics/logistics-commands.js';
import { emptyAsUnset } from '../../config.js';
import { ACCOUNT_CODE } from '../../domain/ledger/account.js';
import { logisticsEventSchemas } from '../../domain/logistics/events.js';
import { logisticsEventStreams } from '../../domain/logistics/streams.js';
import { receivablesStreams } from '../../domain/receivables/streams.js';
import { isCurrencyCode } from '../../domain/shared/currency.js';
import { logisticsProjections } from '../../projections/logistics/logistics-projections.js';
import { createLogisticsQueries } from '../../projections/logistics/logistics-queries.js';
import {
  createLogisticsPostingsReactor,
  createStockReconciler,
} from '../../projections/logistics/logistics-reactors.js';
import { ledgerModule, postingProblems } from '../ledger/ledger-module.js';
import { defineModule } from '../module.js';
import { refusalProblems } from '../problem-types.js';
import { logisticsRoutes } from './logistics-routes.js';

const accountCode = z.string().regex(ACCOUNT_CODE, 'must be an account code like 13000');

export const logisticsModule = defineModule<LogisticsCommands, LogisticsAccounts>({
  name: 'logistics',
  summary:
    'Items, stock valued at moving average cost, and shipments from creation to delivery, posted to the ledger so that the inventory account is the stock value at every date.',
  settings: z
    .object({
      INVENTORY_ACCOUNT: z.preprocess(emptyAsUnset, accountCode.default('13000')),
      GOODS_RECEIVED_ACCOUNT: z.preprocess(emptyAsUnset, accountCode.default('20500')),
      INVENTORY_ADJUSTMENTS_ACCOUNT: z.preprocess(emptyAsUnset, accountCode.default('51000')),
      COST_OF_GOODS_SOLD_ACCOUNT: z.preprocess(emptyAsUnset, accountCode.default('50000')),
    })
    .transform((env): LogisticsAccounts => ({
      inventory: env.INVENTORY_ACCOUNT,
      goodsReceived: env.GOODS_RECEIVED_ACCOUNT,
      adjustments: env.INVENTORY_ADJUSTMENTS_ACCOUNT,
      costOfGoodsSold: env.COST_OF_GOODS_SOLD_ACCOUNT,
    })),
  eventSchemas: logisticsEventSchemas,
  eventStreams: logisticsEventStreams,
  personalData: {
    subjectType: 'customer',
    readScope: 'finance:write',
    fields: {
      ShipmentCreated: {
        subject: (data) => receivablesStreams.customer(String(data.customerId)),
        fields: ['address'],
      },
    },
  },
  projections: logisticsProjections,
  chartAccounts: ({ settings, baseCurrency }) => [
    { code: settings.inventory, name: 'Inventory', type: 'asset', currency: baseCurrency },
    {
      code: settings.goodsReceived,
      name: 'Goods received not invoiced',
      type: 'liability',
      currency: baseCurrency,
    },
    {
      code: settings.adjustments,
      name: 'Inventory adjustments',
      type: 'expense',
      currency: baseCurrency,
    },
    {
      code: settings.costOfGoodsSold,
      name: 'Cost of goods sold',
      type: 'expense',
      currency: baseCurrency,
    },
  ],
  // Inventory is the stock's value at every date, and stock is kept in the base currency only.
  // Goods received not invoiced is not: logistics credits it on receipts, but what clears it
  // (the supplier's invoice) is booked by hand until a payables module posts it.
  controlAccounts: ({ settings }) => [
    {
      code: settings.inventory,
      inEveryCurrency: false,
      correction: 'record a stock adjustment (a count or a write-off)',
    },
  ],
  problems: [
    ...postingProblems,
    ...refusalProblems({
      InvalidItem: ['invalid', 'The name or unit is blank.'],
      ItemAlreadyExists: ['conflict', 'An item with this SKU is already registered.'],
      UnknownItem: ['conflict', 'A SKU named is not a registered item; the detail names it.'],
      InvalidStockMovement: [
        'invalid',
        'A quantity, cost or date of the movement is out of its rules (a unit cost with more decimals than the base currency, both or neither of countedQuantity and delta); `errors` says which.',
      ],
      ReceiptAlreadyRecorded: ['conflict', 'A receipt with this id is already recorded.'],
      AdjustmentAlreadyRecorded: ['conflict', 'An adjustment with this id is already recorded.'],
      StockBelowZero: ['conflict', 'The adjustment would leave less than nothing on hand.'],
      MovementBeforeLast: [
        'conflict',
        "Stock dates run forward per SKU: the movement is dated before the SKU's last one.",
      ],
      NoCostForAdjustment: [
        'conflict',
        'Units found of a SKU never received have no cost to carry them at: record a receipt.',
      ],
      InsufficientStock: [
        'conflict',
        'Not enough on hand to pack the shipment; the detail names each SKU short and by how much. Nothing was taken.',
      ],
      InvalidShipment: [
        'invalid',
        'A line or the address of the shipment is out of its rules (two lines of one SKU); `errors` says which.',
      ],
      ShipmentAlreadyExists: ['conflict', 'A shipment with this id exists.'],
      CustomerNotFoundForShipment: ['conflict', 'The customer named is not registered.'],
      ShipmentNotFound: ['not_found', 'There is no shipment with this id.'],
      InvalidShipmentStep: [
        'invalid',
        "A step's date is not a date or is before the step it follows, or a field is blank.",
      ],
      ShipmentTransitionNotAllowed: [
        'conflict',
        'The shipment is not in the status the step needs: pack a created one, dispatch a packed one, deliver a dispatched one, cancel one not yet dispatched.',
      ],
    }),
  ],
  api(context) {
    const { baseCurrency } = context.config;
    if (!isCurrencyCode(baseCurrency)) throw new Error(`${baseCurrency} is not a currency`);
    return createLogisticsCommands({
      handle: context.handle,
      readState: context.readState,
      postingRules: context.use(ledgerModule).postingRules,
      accounts: context.settings,
      baseCurrency,
    });
  },
  reactors: (context, commands) => [
    createLogisticsPostingsReactor({
      ledger: context.use(ledgerModule).commands.forSubledger('logistics'),
      accounts: context.settings,
    }),
    createStockReconciler({ logistics: commands }),
  ],
  routes: (context, commands) => {
    const { baseCurrency } = context.config;
    if (!isCurrencyCode(baseCurrency)) throw new Error(`${baseCurrency} is not a currency`);
    return logisticsRoutes({
      commands,
      queries: createLogisticsQueries({
        readModels: context.readModels,
        collection: context.collection,
        personalData: context.personalData,
        baseCurrency,
      }),
      ids: context.ids,
      today: context.today,
      baseCurrency,
      mayReadPersonalData: context.mayReadPersonalData,
    });
  },
});
