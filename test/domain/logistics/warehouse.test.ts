import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccountState } from '../../../src/domain/ledger/account.js';
import type { AccountType } from '../../../src/domain/ledger/events.js';
import type {
  AdjustStock,
  IssueStock,
  ReceiveStock,
  ReturnStock,
  StockCommand,
} from '../../../src/domain/logistics/commands.js';
import {
  stockEventSchemas,
  type LogisticsEvent,
  type StockEvent,
} from '../../../src/domain/logistics/events.js';
import { logisticsEventStreams, logisticsStreams } from '../../../src/domain/logistics/streams.js';
import {
  MAX_QUANTITY,
  positionOf,
  warehouseDecider,
  type WarehouseFacts,
  type WarehouseState,
} from '../../../src/domain/logistics/warehouse.js';
import { foldEvents } from '../../../src/domain/shared/decider.js';
import { isDomainError } from '../../../src/domain/shared/errors.js';
import { givenWhenThen } from '../ledger/given-when-then.js';

type Of<Type extends StockEvent['type']> = Extract<StockEvent, { type: Type }>;

function account(code: string, type: AccountType, currency = 'EUR'): AccountState {
  return { status: 'open', code, name: `Account ${code}`, type, currency };
}

function facts(
  overrides: Partial<Omit<WarehouseFacts, 'closedPeriods' | 'registeredSkus'>> & {
    closedPeriods?: string[];
    registeredSkus?: string[];
  } = {},
): WarehouseFacts {
  const { closedPeriods, registeredSkus, ...accounts } = overrides;
  return {
    accounts: new Map(),
    inventory: { code: '13000', state: account('13000', 'asset') },
    goodsReceived: { code: '20500', state: account('20500', 'liability') },
    adjustmentsAccount: { code: '51000', state: account('51000', 'expense') },
    costOfGoodsSold: { code: '50000', state: account('50000', 'expense') },
    ...accounts,
    registeredSkus: new Set(registeredSkus ?? ['SKU-1', 'SKU-2']),
    closedPeriods: new Set(closedPeriods ?? []),
  };
}

const given = givenWhenThen(warehouseDecider, facts());
const withFacts = (warehouseFacts: WarehouseFacts) =>
  givenWhenThen(warehouseDecider, warehouseFacts);

const stateAfter = (events: readonly LogisticsEvent[]): WarehouseState =>
  foldEvents(warehouseDecider, events);

// --- commands ---------------------------------------------------------------------------------

function receive(overrides: Partial<ReceiveStock> = {}): ReceiveStock {
  return {
    type: 'ReceiveStock',
    receiptId: 'R-1',
    sku: 'SKU-1',
    quantity: 10,
    unitCost: '1.00',
    receivedOn: '2026-03-02',
    reference: 'PO-1',
    currency: 'EUR',
    ...overrides,
  };
}

function adjust(overrides: Partial<AdjustStock> = {}): AdjustStock {
  return {
    type: 'AdjustStock',
    adjustmentId: 'A-1',
    sku: 'SKU-1',
    reason: 'Stock count',
    adjustedOn: '2026-03-15',
    currency: 'EUR',
    ...overrides,
  };
}

function issueStock(overrides: Partial<IssueStock> = {}): IssueStock {
  return {
    type: 'IssueStock',
    shipmentId: 'S-1',
    issuedOn: '2026-03-10',
    lines: [{ sku: 'SKU-1', quantity: 7 }],
    currency: 'EUR',
    ...overrides,
  };
}

function returnStock(overrides: Partial<ReturnStock> = {}): ReturnStock {
  return {
    type: 'ReturnStock',
    shipmentId: 'S-1',
    returnedOn: '2026-03-12',
    reason: 'Customer cancelled',
    currency: 'EUR',
    ...overrides,
  };
}

// --- events -----------------------------------------------------------------------------------

const stockReceived = (data: Of<'StockReceived'>['data']): Of<'StockReceived'> => ({
  type: 'StockReceived',
  data,
});
const stockAdjusted = (data: Of<'StockAdjusted'>['data']): Of<'StockAdjusted'> => ({
  type: 'StockAdjusted',
  data,
});
const stockIssued = (data: Of<'StockIssued'>['data']): Of<'StockIssued'> => ({
  type: 'StockIssued',
  data,
});
const stockReturned = (data: Of<'StockReturned'>['data']): Of<'StockReturned'> => ({
  type: 'StockReturned',
  data,
});

/** 10 @ 1.00: 10 on hand at 10.00. */
const firstReceipt = stockReceived({
  receiptId: 'R-1',
  sku: 'SKU-1',
  quantity: 10,
  unitCost: '1.00',
  value: '10.00',
  receivedOn: '2026-03-02',
  reference: 'PO-1',
  onHandAfter: 10,
  valueAfter: '10.00',
});

/** 20 @ 1.30 on top: 30 on hand at 36.00, an average of 1.20. */
const secondReceipt = stockReceived({
  receiptId: 'R-2',
  sku: 'SKU-1',
  quantity: 20,
  unitCost: '1.30',
  value: '26.00',
  receivedOn: '2026-03-03',
  reference: 'PO-2',
  onHandAfter: 30,
  valueAfter: '36.00',
});

/** 7 of the 30 at 36.00: 8.40, leaving 23 at 27.60. */
const sevenIssued = stockIssued({
  shipmentId: 'S-1',
  issuedOn: '2026-03-10',
  lines: [{ sku: 'SKU-1', quantity: 7, cost: '8.40', onHandAfter: 23, valueAfter: '27.60' }],
  totalCost: '8.40',
});

/** SKU-2: 2 @ 5.00 and 1 @ 5.01, so 3 on hand at 15.01, an average that does not divide. */
const oddReceipts = [
  stockReceived({
    receiptId: 'R-3',
    sku: 'SKU-2',
    quantity: 2,
    unitCost: '5.00',
    value: '10.00',
    receivedOn: '2026-03-02',
    reference: 'PO-3',
    onHandAfter: 2,
    valueAfter: '10.00',
  }),
  stockReceived({
    receiptId: 'R-4',
    sku: 'SKU-2',
    quantity: 1,
    unitCost: '5.01',
    value: '5.01',
    receivedOn: '2026-03-02',
    reference: 'PO-4',
    onHandAfter: 3,
    valueAfter: '15.01',
  }),
];

const onHand = [firstReceipt, secondReceipt];

describe('the warehouse stream', () => {
  it('holds every stock movement of the warehouse', () => {
    expect(logisticsStreams.warehouse()).toBe('warehouse-main');
    for (const type of [
      'StockReceived',
      'StockAdjusted',
      'StockIssued',
      'StockReturned',
    ] as const) {
      expect(logisticsEventStreams[type]).toBe('warehouse-main');
    }
  });

  it('stores events its schemas accept', () => {
    const returned = stockReturned({
      shipmentId: 'S-1',
      returnedOn: '2026-03-12',
      reason: 'Customer cancelled',
      lines: [{ sku: 'SKU-1', quantity: 7, cost: '8.40', onHandAfter: 30, valueAfter: '36.00' }],
      totalCost: '8.40',
    });
    const adjusted = stockAdjusted({
      adjustmentId: 'A-1',
      sku: 'SKU-1',
      delta: -3,
      countedQuantity: 27,
      valueChange: '-3.60',
      adjustedOn: '2026-03-15',
      reason: 'Stock count',
      onHandAfter: 27,
      valueAfter: '32.40',
    });
    for (const event of [firstReceipt, secondReceipt, sevenIssued, adjusted, returned]) {
      expect(stockEventSchemas[event.type].parse(event.data)).toEqual(event.data);
    }
  });
});

// --- ReceiveStock -----------------------------------------------------------------------------

describe('ReceiveStock', () => {
  it('records the receipt at quantity × unit cost, with the stock after it', () => {
    given().when(receive()).then([firstReceipt]);
  });

  it('adds to the value: 10 @ 1.00 and then 20 @ 1.30 is 30 on hand at 36.00', () => {
    given([firstReceipt])
      .when(
        receive({
          receiptId: 'R-2',
          quantity: 20,
          unitCost: '1.30',
          receivedOn: '2026-03-03',
          reference: 'PO-2',
        }),
      )
      .then([secondReceipt]);
  });

  it('writes the unit cost with the currency’s decimals', () => {
    given()
      .when(receive({ unitCost: '1.3', quantity: 3 }))
      .then([
        stockReceived({
          ...firstReceipt.data,
          quantity: 3,
          unitCost: '1.30',
          value: '3.90',
          onHandAfter: 3,
          valueAfter: '3.90',
        }),
      ]);
  });

  it('accepts goods received free of charge', () => {
    given()
      .when(receive({ unitCost: '0.00' }))
      .then([
        stockReceived({
          ...firstReceipt.data,
          unitCost: '0.00',
          value: '0.00',
          valueAfter: '0.00',
        }),
      ]);
  });

  it('keeps each SKU’s stock apart', () => {
    given(onHand)
      .when(
        receive({
          receiptId: 'R-3',
          sku: 'SKU-2',
          quantity: 2,
          unitCost: '5.00',
          reference: 'PO-3',
        }),
      )
      .then([oddReceipts[0]!]);
  });

  it('refuses a malformed quantity, date, unit cost and reference, listing each', () => {
    given()
      .when(receive({ quantity: 0, receivedOn: '2026-02-30', unitCost: '1.005', reference: ' ' }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidStockMovement',
        issues: ['quantity', 'receivedOn', 'unitCost', 'reference'],
      });
  });

  it.each([[0], [-1], [1.5], [MAX_QUANTITY + 1], [Number.NaN]])(
    'refuses a quantity of %s',
    (quantity) => {
      given()
        .when(receive({ quantity }))
        .thenRefuses({ kind: 'invalid', code: 'InvalidStockMovement', issues: ['quantity'] });
    },
  );

  it('accepts the largest quantity one movement may move', () => {
    const [event] = warehouseDecider.decide(
      receive({ quantity: MAX_QUANTITY, unitCost: '0.01' }),
      warehouseDecider.initialState,
      facts(),
    );
    expect(event).toMatchObject({ data: { onHandAfter: MAX_QUANTITY, value: '10000000.00' } });
  });

  it('refuses a negative unit cost, and one that is not an amount', () => {
    given()
      .when(receive({ unitCost: '-1.00' }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidStockMovement',
        issues: ['unitCost'],
        message: 'must not be negative',
      });
    given()
      .when(receive({ unitCost: 'one euro' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidStockMovement', issues: ['unitCost'] });
  });

  it('refuses a receipt id already recorded, whatever it says', () => {
    given([firstReceipt])
      .when(receive({ quantity: 1, receivedOn: '2026-03-05' }))
      .thenRefuses({ kind: 'conflict', code: 'ReceiptAlreadyRecorded', message: 'R-1' });
  });

  it('refuses a SKU that is not a registered item', () => {
    given()
      .when(receive({ sku: 'SKU-9' }))
      .thenRefuses({ kind: 'conflict', code: 'UnknownItem', message: 'SKU-9' });
  });

  it('refuses a receipt dated before the SKU’s last movement, and takes the same day', () => {
    given(onHand)
      .when(receive({ receiptId: 'R-5', receivedOn: '2026-03-01' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'MovementBeforeLast',
        message: 'SKU-1 last moved on 2026-03-03',
      });
    given(onHand)
      .when(receive({ receiptId: 'R-5', receivedOn: '2026-03-03', quantity: 30, unitCost: '1.00' }))
      .then([
        stockReceived({
          receiptId: 'R-5',
          sku: 'SKU-1',
          quantity: 30,
          unitCost: '1.00',
          value: '30.00',
          receivedOn: '2026-03-03',
          reference: 'PO-1',
          onHandAfter: 60,
          valueAfter: '66.00',
        }),
      ]);
  });

  it('dates each SKU on its own: another SKU’s later movement does not hold it back', () => {
    const [event] = warehouseDecider.decide(
      receive({ receiptId: 'R-3', sku: 'SKU-2', receivedOn: '2026-03-01' }),
      stateAfter(onHand),
      facts(),
    );
    expect(event?.type).toBe('StockReceived');
  });

  it('refuses when inventory or goods received not invoiced is not open as it must be', () => {
    withFacts(facts({ inventory: { code: '13000', state: { status: 'none' } } }))()
      .when(receive())
      .thenRefuses({
        kind: 'conflict',
        code: 'PostingAccountMissing',
        message: 'The inventory account 13000 is not open; open it (asset, EUR) first',
      });
    withFacts(facts({ goodsReceived: { code: '20500', state: account('20500', 'expense') } }))()
      .when(receive())
      .thenRefuses({
        kind: 'conflict',
        code: 'PostingAccountMissing',
        message:
          'The goods received not invoiced account 20500 must be an open liability account in EUR',
      });
    withFacts(facts({ inventory: { code: '13000', state: account('13000', 'asset', 'USD') } }))()
      .when(receive())
      .thenRefuses({
        kind: 'conflict',
        code: 'PostingAccountMissing',
        message: '13000 must be an open asset account in EUR',
      });
  });

  it('needs the goods received account as a fact: without it the caller is broken', () => {
    const { goodsReceived: _omitted, ...rest } = facts();
    expect(() => warehouseDecider.decide(receive(), warehouseDecider.initialState, rest)).toThrow(
      'The goods received not invoiced account is a fact this command needs',
    );
  });

  it('refuses a receipt dated in a closed period', () => {
    withFacts(facts({ closedPeriods: ['2026-03'] }))()
      .when(receive())
      .thenRefuses({
        kind: 'conflict',
        code: 'PeriodClosed',
        message: 'nothing dated 2026-03-02 can be received',
      });
    withFacts(facts({ closedPeriods: ['2026-02'] }))()
      .when(receive())
      .then([firstReceipt]);
  });

  it('checks in order: the command, the receipt id, the item, the date, the accounts, the period', () => {
    const everythingWrong = facts({
      registeredSkus: [],
      inventory: { code: '13000', state: { status: 'none' } },
      closedPeriods: ['2026-03'],
    });
    withFacts(everythingWrong)([firstReceipt])
      .when(receive({ quantity: 0 }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidStockMovement' });
    withFacts(everythingWrong)([firstReceipt])
      .when(receive({ receivedOn: '2026-03-01' }))
      .thenRefuses({ kind: 'conflict', code: 'ReceiptAlreadyRecorded' });
    withFacts(everythingWrong)([firstReceipt])
      .when(receive({ receiptId: 'R-2', receivedOn: '2026-03-01' }))
      .thenRefuses({ kind: 'conflict', code: 'UnknownItem' });
    withFacts(facts({ inventory: { code: '13000', state: { status: 'none' } } }))([firstReceipt])
      .when(receive({ receiptId: 'R-2', receivedOn: '2026-03-01' }))
      .thenRefuses({ kind: 'conflict', code: 'MovementBeforeLast' });
    withFacts(
      facts({
        inventory: { code: '13000', state: { status: 'none' } },
        closedPeriods: ['2026-03'],
      }),
    )()
      .when(receive())
      .thenRefuses({ kind: 'conflict', code: 'PostingAccountMissing' });
  });
});

// --- AdjustStock ------------------------------------------------------------------------------

describe('AdjustStock', () => {
  it('turns a count into the delta: 27 counted of 30 writes off 3 at the average, 3.60', () => {
    given(onHand)
      .when(adjust({ countedQuantity: 27 }))
      .then([
        stockAdjusted({
          adjustmentId: 'A-1',
          sku: 'SKU-1',
          delta: -3,
          countedQuantity: 27,
          valueChange: '-3.60',
          adjustedOn: '2026-03-15',
          reason: 'Stock count',
          onHandAfter: 27,
          valueAfter: '32.40',
        }),
      ]);
  });

  it('values units found at the average: 33 counted of 30 adds 3 at 1.20, 3.60', () => {
    given(onHand)
      .when(adjust({ countedQuantity: 33 }))
      .then([
        stockAdjusted({
          adjustmentId: 'A-1',
          sku: 'SKU-1',
          delta: 3,
          countedQuantity: 33,
          valueChange: '3.60',
          adjustedOn: '2026-03-15',
          reason: 'Stock count',
          onHandAfter: 33,
          valueAfter: '39.60',
        }),
      ]);
  });

  it('takes a delta as given, recording no count', () => {
    given(onHand)
      .when(adjust({ delta: -1, reason: 'Broken in the aisle' }))
      .then([
        stockAdjusted({
          adjustmentId: 'A-1',
          sku: 'SKU-1',
          delta: -1,
          countedQuantity: null,
          valueChange: '-1.20',
          adjustedOn: '2026-03-15',
          reason: 'Broken in the aisle',
          onHandAfter: 29,
          valueAfter: '34.80',
        }),
      ]);
  });

  it('rounds the value of units found and written off half up', () => {
    // 3 on hand at 15.01: one more is worth 5.0033, so 5.00; one less costs the same.
    given(oddReceipts)
      .when(adjust({ sku: 'SKU-2', delta: 1 }))
      .then([
        stockAdjusted({
          adjustmentId: 'A-1',
          sku: 'SKU-2',
          delta: 1,
          countedQuantity: null,
          valueChange: '5.00',
          adjustedOn: '2026-03-15',
          reason: 'Stock count',
          onHandAfter: 4,
          valueAfter: '20.01',
        }),
      ]);
    given(oddReceipts)
      .when(adjust({ sku: 'SKU-2', delta: -1 }))
      .then([
        stockAdjusted({
          adjustmentId: 'A-1',
          sku: 'SKU-2',
          delta: -1,
          countedQuantity: null,
          valueChange: '-5.00',
          adjustedOn: '2026-03-15',
          reason: 'Stock count',
          onHandAfter: 2,
          valueAfter: '10.01',
        }),
      ]);
    // 2 on hand at 10.01: one more is worth 5.005, so 5.01.
    const [writeOff] = warehouseDecider.decide(
      adjust({ sku: 'SKU-2', delta: -1 }),
      stateAfter(oddReceipts),
      facts(),
    );
    given([...oddReceipts, writeOff!])
      .when(adjust({ adjustmentId: 'A-2', sku: 'SKU-2', delta: 1 }))
      .then([
        stockAdjusted({
          adjustmentId: 'A-2',
          sku: 'SKU-2',
          delta: 1,
          countedQuantity: null,
          valueChange: '5.01',
          adjustedOn: '2026-03-15',
          reason: 'Stock count',
          onHandAfter: 3,
          valueAfter: '15.02',
        }),
      ]);
  });

  it('writes off all that is left when the count is zero, whatever the average', () => {
    given(oddReceipts)
      .when(adjust({ sku: 'SKU-2', countedQuantity: 0 }))
      .then([
        stockAdjusted({
          adjustmentId: 'A-1',
          sku: 'SKU-2',
          delta: -3,
          countedQuantity: 0,
          valueChange: '-15.01',
          adjustedOn: '2026-03-15',
          reason: 'Stock count',
          onHandAfter: 0,
          valueAfter: '0.00',
        }),
      ]);
  });

  it('values units found with none on hand at the last receipt’s unit cost', () => {
    const allIssued = stockIssued({
      shipmentId: 'S-1',
      issuedOn: '2026-03-10',
      lines: [{ sku: 'SKU-1', quantity: 30, cost: '36.00', onHandAfter: 0, valueAfter: '0.00' }],
      totalCost: '36.00',
    });
    // The average was 1.20; the last receipt was at 1.30.
    given([...onHand, allIssued])
      .when(adjust({ countedQuantity: 4 }))
      .then([
        stockAdjusted({
          adjustmentId: 'A-1',
          sku: 'SKU-1',
          delta: 4,
          countedQuantity: 4,
          valueChange: '5.20',
          adjustedOn: '2026-03-15',
          reason: 'Stock count',
          onHandAfter: 4,
          valueAfter: '5.20',
        }),
      ]);
  });

  it('keeps the last receipt’s unit cost through a write-off to zero', () => {
    const [writtenOff] = warehouseDecider.decide(
      adjust({ countedQuantity: 0 }),
      stateAfter([firstReceipt]),
      facts(),
    );
    expect(writtenOff).toMatchObject({
      data: { delta: -10, valueChange: '-10.00', valueAfter: '0.00' },
    });
    given([firstReceipt, writtenOff!])
      .when(adjust({ adjustmentId: 'A-2', delta: 2 }))
      .then([
        stockAdjusted({
          adjustmentId: 'A-2',
          sku: 'SKU-1',
          delta: 2,
          countedQuantity: null,
          valueChange: '2.00',
          adjustedOn: '2026-03-15',
          reason: 'Stock count',
          onHandAfter: 2,
          valueAfter: '2.00',
        }),
      ]);
  });

  it('records nothing when the count matches what is on hand', () => {
    given(onHand)
      .when(adjust({ countedQuantity: 30 }))
      .then([]);
    given()
      .when(adjust({ countedQuantity: 0 }))
      .then([]);
  });

  it('refuses units found for a SKU never received: they have no cost', () => {
    given()
      .when(adjust({ delta: 1 }))
      .thenRefuses({
        kind: 'conflict',
        code: 'NoCostForAdjustment',
        message: 'SKU-1 has never been received',
      });
    given()
      .when(adjust({ countedQuantity: 5 }))
      .thenRefuses({ kind: 'conflict', code: 'NoCostForAdjustment' });
  });

  it('refuses a delta that would take the stock below zero', () => {
    given([firstReceipt])
      .when(adjust({ delta: -11 }))
      .thenRefuses({
        kind: 'conflict',
        code: 'StockBelowZero',
        message: 'SKU-1 has 10 on hand: taking 11 would leave -1',
      });
    given()
      .when(adjust({ delta: -1 }))
      .thenRefuses({ kind: 'conflict', code: 'StockBelowZero', message: 'has 0 on hand' });
  });

  it('refuses both a count and a delta, or neither', () => {
    given(onHand)
      .when(adjust({ countedQuantity: 3, delta: 1 }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidStockMovement', issues: [''] });
    given(onHand)
      .when(adjust())
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidStockMovement',
        issues: [''],
        message: 'give exactly one of countedQuantity and delta',
      });
  });

  it.each([[-1], [1.5], [MAX_QUANTITY + 1]])('refuses a count of %s', (countedQuantity) => {
    given(onHand)
      .when(adjust({ countedQuantity }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidStockMovement', issues: ['countedQuantity'] });
  });

  it.each([[0], [0.5], [MAX_QUANTITY + 1], [-MAX_QUANTITY - 1]])(
    'refuses a delta of %s',
    (delta) => {
      given(onHand)
        .when(adjust({ delta }))
        .thenRefuses({ kind: 'invalid', code: 'InvalidStockMovement', issues: ['delta'] });
    },
  );

  it('refuses a malformed date and a blank reason, listing each', () => {
    given(onHand)
      .when(adjust({ delta: 1, adjustedOn: '15/03/2026', reason: '' }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidStockMovement',
        issues: ['adjustedOn', 'reason'],
      });
  });

  it('refuses an adjustment id already recorded', () => {
    const [first] = warehouseDecider.decide(adjust({ delta: -1 }), stateAfter(onHand), facts());
    given([...onHand, first!])
      .when(adjust({ delta: -2 }))
      .thenRefuses({ kind: 'conflict', code: 'AdjustmentAlreadyRecorded', message: 'A-1' });
  });

  it('refuses a SKU that is not a registered item', () => {
    given()
      .when(adjust({ sku: 'SKU-9', delta: 1 }))
      .thenRefuses({ kind: 'conflict', code: 'UnknownItem', message: 'SKU-9' });
  });

  it('refuses an adjustment dated before the SKU’s last movement', () => {
    given(onHand)
      .when(adjust({ delta: -1, adjustedOn: '2026-03-02' }))
      .thenRefuses({ kind: 'conflict', code: 'MovementBeforeLast', message: 'on 2026-03-02' });
  });

  it('refuses when inventory or inventory adjustments is not open as it must be', () => {
    withFacts(facts({ adjustmentsAccount: { code: '51000', state: { status: 'none' } } }))(onHand)
      .when(adjust({ delta: -1 }))
      .thenRefuses({
        kind: 'conflict',
        code: 'PostingAccountMissing',
        message:
          'The inventory adjustments account 51000 is not open; open it (expense, EUR) first',
      });
    withFacts(facts({ inventory: { code: '13000', state: account('13000', 'liability') } }))(onHand)
      .when(adjust({ delta: 1 }))
      .thenRefuses({ kind: 'conflict', code: 'PostingAccountMissing', message: '13000' });
  });

  it('refuses an adjustment dated in a closed period', () => {
    withFacts(facts({ closedPeriods: ['2026-03'] }))(onHand)
      .when(adjust({ delta: -1 }))
      .thenRefuses({
        kind: 'conflict',
        code: 'PeriodClosed',
        message: 'nothing dated 2026-03-15 can be adjusted',
      });
  });
});

// --- IssueStock -------------------------------------------------------------------------------

describe('IssueStock', () => {
  it('takes the units at the moving average: 7 of 30 at 36.00 cost 8.40', () => {
    given(onHand).when(issueStock()).then([sevenIssued]);
  });

  it('follows the average as receipts move it', () => {
    // 23 at 27.60, then 7 @ 1.50: 30 at 38.10; 10 of them cost 12.70.
    const thirdReceipt = stockReceived({
      receiptId: 'R-5',
      sku: 'SKU-1',
      quantity: 7,
      unitCost: '1.50',
      value: '10.50',
      receivedOn: '2026-03-11',
      reference: 'PO-5',
      onHandAfter: 30,
      valueAfter: '38.10',
    });
    expect(
      warehouseDecider.decide(
        receive({
          receiptId: 'R-5',
          quantity: 7,
          unitCost: '1.50',
          receivedOn: '2026-03-11',
          reference: 'PO-5',
        }),
        stateAfter([...onHand, sevenIssued]),
        facts(),
      ),
    ).toEqual([thirdReceipt]);
    given([...onHand, sevenIssued, thirdReceipt])
      .when(
        issueStock({
          shipmentId: 'S-2',
          issuedOn: '2026-03-11',
          lines: [{ sku: 'SKU-1', quantity: 10 }],
        }),
      )
      .then([
        stockIssued({
          shipmentId: 'S-2',
          issuedOn: '2026-03-11',
          lines: [
            { sku: 'SKU-1', quantity: 10, cost: '12.70', onHandAfter: 20, valueAfter: '25.40' },
          ],
          totalCost: '12.70',
        }),
      ]);
  });

  it('takes every line together and totals their cost', () => {
    given([...onHand, ...oddReceipts])
      .when(
        issueStock({
          lines: [
            { sku: 'SKU-1', quantity: 7 },
            { sku: 'SKU-2', quantity: 2 },
          ],
        }),
      )
      .then([
        stockIssued({
          shipmentId: 'S-1',
          issuedOn: '2026-03-10',
          lines: [
            { sku: 'SKU-1', quantity: 7, cost: '8.40', onHandAfter: 23, valueAfter: '27.60' },
            // 15.01 × 2 / 3 = 10.0067, so 10.01.
            { sku: 'SKU-2', quantity: 2, cost: '10.01', onHandAfter: 1, valueAfter: '5.00' },
          ],
          totalCost: '18.41',
        }),
      ]);
  });

  it('rounds each issue half up, and the last unit takes exactly what is left', () => {
    // 3 at 15.01 issued one at a time: 5.0033 → 5.00, then 10.01 / 2 = 5.005 → 5.01, then
    // the last one takes the 5.00 left, though the average it was carried at rounds to 5.00 too.
    let history: LogisticsEvent[] = [...oddReceipts];
    const costs: string[] = [];
    for (const [n, shipmentId] of ['S-1', 'S-2', 'S-3'].entries()) {
      const [event] = warehouseDecider.decide(
        issueStock({
          shipmentId,
          issuedOn: `2026-03-1${n}`,
          lines: [{ sku: 'SKU-2', quantity: 1 }],
        }),
        stateAfter(history),
        facts(),
      );
      if (event?.type !== 'StockIssued') throw new Error('expected an issue');
      costs.push(event.data.totalCost);
      history = [...history, event];
    }
    expect(costs).toEqual(['5.00', '5.01', '5.00']);
    expect(positionOf(stateAfter(history), 'SKU-2')).toMatchObject({ onHand: 0n, valueMinor: 0n });
  });

  it('takes all that is left for the last units even where rounding would differ', () => {
    const [one] = warehouseDecider.decide(
      issueStock({ lines: [{ sku: 'SKU-2', quantity: 1 }] }),
      stateAfter(oddReceipts),
      facts(),
    );
    // 2 left at 10.01: an average of 5.005, which rounds to 5.01; 2 × 5.01 would be 10.02.
    given([...oddReceipts, one!])
      .when(issueStock({ shipmentId: 'S-2', lines: [{ sku: 'SKU-2', quantity: 2 }] }))
      .then([
        stockIssued({
          shipmentId: 'S-2',
          issuedOn: '2026-03-10',
          lines: [{ sku: 'SKU-2', quantity: 2, cost: '10.01', onHandAfter: 0, valueAfter: '0.00' }],
          totalCost: '10.01',
        }),
      ]);
  });

  it('records nothing the second time for the same shipment: a retried pack finds it done', () => {
    given([...onHand, sevenIssued])
      .when(issueStock())
      .then([]);
    given([...onHand, sevenIssued])
      .when(issueStock({ lines: [{ sku: 'SKU-1', quantity: 23 }], issuedOn: '2026-03-20' }))
      .then([]);
  });

  it('refuses when stock is short, naming each SKU short and by how much', () => {
    given([firstReceipt])
      .when(
        issueStock({
          lines: [
            { sku: 'SKU-1', quantity: 12 },
            { sku: 'SKU-2', quantity: 1 },
          ],
        }),
      )
      .thenRefuses({
        kind: 'conflict',
        code: 'InsufficientStock',
        message:
          'Not enough stock to pack shipment S-1: SKU-1 (10 on hand, 2 short), SKU-2 (0 on hand, 1 short)',
      });
  });

  it('takes none of the lines when one is short', () => {
    const refusal = given([...onHand, ...oddReceipts])
      .when(
        issueStock({
          lines: [
            { sku: 'SKU-1', quantity: 7 },
            { sku: 'SKU-2', quantity: 4 },
          ],
        }),
      )
      .thenRefuses({ kind: 'conflict', code: 'InsufficientStock' });
    expect(refusal.message).not.toContain('SKU-1');
    expect(refusal.message).toContain('SKU-2 (3 on hand, 1 short)');
  });

  it('takes every unit on hand', () => {
    given(onHand)
      .when(issueStock({ lines: [{ sku: 'SKU-1', quantity: 30 }] }))
      .then([
        stockIssued({
          shipmentId: 'S-1',
          issuedOn: '2026-03-10',
          lines: [
            { sku: 'SKU-1', quantity: 30, cost: '36.00', onHandAfter: 0, valueAfter: '0.00' },
          ],
          totalCost: '36.00',
        }),
      ]);
  });

  it('refuses no lines, a bad quantity, a SKU on two lines and a malformed date', () => {
    given(onHand)
      .when(issueStock({ lines: [], issuedOn: '2026-3-10' }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidStockMovement',
        issues: ['issuedOn', 'lines'],
      });
    given(onHand)
      .when(
        issueStock({
          lines: [
            { sku: 'SKU-1', quantity: 0 },
            { sku: 'SKU-2', quantity: 1 },
            { sku: 'SKU-1', quantity: 2.5 },
          ],
        }),
      )
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidStockMovement',
        issues: ['lines[0].quantity', 'lines[2].quantity', 'lines[2].sku'],
      });
  });

  it('checks the command even for a shipment already issued', () => {
    given([...onHand, sevenIssued])
      .when(issueStock({ lines: [] }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidStockMovement', issues: ['lines'] });
  });

  it('refuses SKUs that are not registered items, naming each once', () => {
    given(onHand)
      .when(
        issueStock({
          lines: [
            { sku: 'SKU-8', quantity: 1 },
            { sku: 'SKU-1', quantity: 1 },
            { sku: 'SKU-9', quantity: 1 },
          ],
        }),
      )
      .thenRefuses({
        kind: 'conflict',
        code: 'UnknownItem',
        message: 'No item is registered with SKU SKU-8, SKU-9',
      });
  });

  it('refuses an issue dated before a SKU’s last movement', () => {
    given([...onHand, ...oddReceipts])
      .when(
        issueStock({
          issuedOn: '2026-03-02',
          lines: [
            { sku: 'SKU-2', quantity: 1 },
            { sku: 'SKU-1', quantity: 1 },
          ],
        }),
      )
      .thenRefuses({
        kind: 'conflict',
        code: 'MovementBeforeLast',
        message: 'SKU-1 last moved on 2026-03-03',
      });
  });

  it('refuses when inventory or cost of goods sold is not open as it must be', () => {
    withFacts(facts({ costOfGoodsSold: { code: '50000', state: { status: 'none' } } }))(onHand)
      .when(issueStock())
      .thenRefuses({
        kind: 'conflict',
        code: 'PostingAccountMissing',
        message: 'The cost of goods sold account 50000 is not open; open it (expense, EUR) first',
      });
    withFacts(
      facts({ costOfGoodsSold: { code: '50000', state: account('50000', 'expense', 'GBP') } }),
    )(onHand)
      .when(issueStock())
      .thenRefuses({ kind: 'conflict', code: 'PostingAccountMissing', message: '50000 must be' });
  });

  it('refuses an issue dated in a closed period', () => {
    withFacts(facts({ closedPeriods: ['2026-03'] }))(onHand)
      .when(issueStock())
      .thenRefuses({
        kind: 'conflict',
        code: 'PeriodClosed',
        message: 'nothing dated 2026-03-10 can be packed',
      });
  });
});

// --- ReturnStock ------------------------------------------------------------------------------

describe('ReturnStock', () => {
  const sevenBack = stockReturned({
    shipmentId: 'S-1',
    returnedOn: '2026-03-12',
    reason: 'Customer cancelled',
    lines: [{ sku: 'SKU-1', quantity: 7, cost: '8.40', onHandAfter: 30, valueAfter: '36.00' }],
    totalCost: '8.40',
  });

  it('brings the shipment’s stock back at the cost it left with', () => {
    given([...onHand, sevenIssued])
      .when(returnStock())
      .then([sevenBack]);
  });

  it('keeps the cost it left with though the average has moved since', () => {
    // 23 at 27.60 and 7 @ 1.50 received since: 30 at 38.10; the 7 come back at 8.40.
    const [received] = warehouseDecider.decide(
      receive({ receiptId: 'R-5', quantity: 7, unitCost: '1.50', receivedOn: '2026-03-11' }),
      stateAfter([...onHand, sevenIssued]),
      facts(),
    );
    given([...onHand, sevenIssued, received!])
      .when(returnStock())
      .then([
        stockReturned({
          ...sevenBack.data,
          lines: [
            { sku: 'SKU-1', quantity: 7, cost: '8.40', onHandAfter: 37, valueAfter: '46.50' },
          ],
        }),
      ]);
  });

  it('returns every line of the shipment', () => {
    const [issued] = warehouseDecider.decide(
      issueStock({
        lines: [
          { sku: 'SKU-1', quantity: 7 },
          { sku: 'SKU-2', quantity: 2 },
        ],
      }),
      stateAfter([...onHand, ...oddReceipts]),
      facts(),
    );
    given([...onHand, ...oddReceipts, issued!])
      .when(returnStock())
      .then([
        stockReturned({
          ...sevenBack.data,
          lines: [
            { sku: 'SKU-1', quantity: 7, cost: '8.40', onHandAfter: 30, valueAfter: '36.00' },
            { sku: 'SKU-2', quantity: 2, cost: '10.01', onHandAfter: 3, valueAfter: '15.01' },
          ],
          totalCost: '18.41',
        }),
      ]);
  });

  it('is dated the issue when asked for an earlier date', () => {
    given([...onHand, sevenIssued])
      .when(returnStock({ returnedOn: '2026-03-05' }))
      .then([stockReturned({ ...sevenBack.data, returnedOn: '2026-03-10' })]);
  });

  it('is dated the SKUs’ last movement when that is later than the date asked', () => {
    const [adjusted] = warehouseDecider.decide(
      adjust({ delta: -1, adjustedOn: '2026-03-20' }),
      stateAfter([...onHand, sevenIssued]),
      facts(),
    );
    // 22 at 26.40 after the write-off of one at 1.20; the 7 come back at 8.40.
    given([...onHand, sevenIssued, adjusted!])
      .when(returnStock())
      .then([
        stockReturned({
          ...sevenBack.data,
          returnedOn: '2026-03-20',
          lines: [
            { sku: 'SKU-1', quantity: 7, cost: '8.40', onHandAfter: 29, valueAfter: '34.80' },
          ],
        }),
      ]);
  });

  it('is not held back by a later movement of a SKU the shipment did not take', () => {
    const [other] = warehouseDecider.decide(
      receive({ receiptId: 'R-3', sku: 'SKU-2', receivedOn: '2026-03-25' }),
      stateAfter([...onHand, sevenIssued]),
      facts(),
    );
    given([...onHand, sevenIssued, other!])
      .when(returnStock())
      .then([sevenBack]);
  });

  it('records nothing for a shipment whose stock was never taken', () => {
    given(onHand).when(returnStock()).then([]);
    given([...onHand, sevenIssued])
      .when(returnStock({ shipmentId: 'S-2' }))
      .then([]);
  });

  it('records nothing for a shipment whose stock already came back', () => {
    given([...onHand, sevenIssued, sevenBack])
      .when(returnStock())
      .then([]);
  });

  it('does not take the shipment again after its return', () => {
    given([...onHand, sevenIssued, sevenBack])
      .when(issueStock({ issuedOn: '2026-03-13' }))
      .then([]);
  });

  it('refuses a malformed date', () => {
    given([...onHand, sevenIssued])
      .when(returnStock({ returnedOn: '2026-03-32' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidStockMovement', issues: ['returnedOn'] });
  });

  it('refuses when inventory or cost of goods sold is not open as it must be', () => {
    withFacts(facts({ inventory: { code: '13000', state: { status: 'none' } } }))([
      ...onHand,
      sevenIssued,
    ])
      .when(returnStock())
      .thenRefuses({ kind: 'conflict', code: 'PostingAccountMissing', message: '13000' });
    withFacts(facts({ costOfGoodsSold: { code: '50000', state: account('50000', 'revenue') } }))([
      ...onHand,
      sevenIssued,
    ])
      .when(returnStock())
      .thenRefuses({ kind: 'conflict', code: 'PostingAccountMissing', message: '50000' });
  });

  it('is not refused by a closed period: it undoes a pack, so it cannot be refused', () => {
    // As warehouse.ts documents it: only the accounts can stop a return.
    withFacts(facts({ closedPeriods: ['2026-03'] }))([...onHand, sevenIssued])
      .when(returnStock())
      .then([sevenBack]);
  });
});

// --- the state --------------------------------------------------------------------------------

describe('the warehouse state', () => {
  it('is each SKU’s stock, last date and last receipt’s unit cost', () => {
    const state = stateAfter([...onHand, sevenIssued, ...oddReceipts]);
    expect(positionOf(state, 'SKU-1')).toEqual({
      onHand: 23n,
      valueMinor: 2760n,
      lastDate: '2026-03-10',
      lastUnitCostMinor: 130n,
    });
    expect(positionOf(state, 'SKU-2')).toEqual({
      onHand: 3n,
      valueMinor: 1501n,
      lastDate: '2026-03-02',
      lastUnitCostMinor: 501n,
    });
    expect(positionOf(state, 'SKU-9')).toEqual({
      onHand: 0n,
      valueMinor: 0n,
      lastDate: '',
      lastUnitCostMinor: null,
    });
    expect(state.shipments.get('S-1')).toEqual({
      issuedOn: '2026-03-10',
      lines: sevenIssued.data.lines,
      totalCost: '8.40',
      returned: false,
    });
    expect(state.receipts.keys()).toEqual(['R-1', 'R-2', 'R-3', 'R-4']);
  });

  it('ignores events that are not stock movements', () => {
    const state = stateAfter(onHand);
    expect(
      warehouseDecider.evolve(state, {
        type: 'ItemRegistered',
        data: { sku: 'SKU-1', name: 'Blue mug', unit: 'piece' },
      }),
    ).toBe(state);
  });
});

// --- the property -----------------------------------------------------------------------------

type Step =
  | {
      readonly kind: 'receive';
      readonly sku: string;
      readonly quantity: number;
      readonly unitCostMinor: number;
    }
  | { readonly kind: 'count'; readonly sku: string; readonly counted: number }
  | { readonly kind: 'delta'; readonly sku: string; readonly delta: number }
  | {
      readonly kind: 'issue';
      readonly lines: readonly { readonly sku: string; readonly quantity: number }[];
    }
  | { readonly kind: 'return'; readonly pick: number }
  | { readonly kind: 'day' };

const SKUS = ['SKU-1', 'SKU-2'];
const skuArbitrary = fc.constantFrom(...SKUS);
const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('receive' as const),
      sku: skuArbitrary,
      quantity: fc.integer({ min: 1, max: 40 }),
      unitCostMinor: fc.integer({ min: 0, max: 999 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('count' as const),
      sku: skuArbitrary,
      counted: fc.integer({ min: 0, max: 60 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('delta' as const),
      sku: skuArbitrary,
      delta: fc.integer({ min: -25, max: 25 }).filter((delta) => delta !== 0),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('issue' as const),
      lines: fc.uniqueArray(
        fc.record({ sku: skuArbitrary, quantity: fc.integer({ min: 1, max: 15 }) }),
        { minLength: 1, maxLength: 2, selector: (line) => line.sku },
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('return' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('day' as const) }) },
);

/** Minor units of a two-decimal amount as the events write it. */
const minor = (amount: string) => BigInt(amount.replace('.', ''));

describe('the stock over any sequence of movements', () => {
  it('is never negative, is worth nothing when nothing is on hand, and is worth what moved', () => {
    fc.assert(
      fc.property(
        fc.array(stepArbitrary, { minLength: 1, maxLength: 80, size: 'large' }),
        (steps) => {
          let state = warehouseDecider.initialState;
          const shipments: string[] = [];
          /** Per SKU: Σ receipts + Σ adjustments − Σ issues + Σ returns, and the units likewise. */
          const moved = new Map(SKUS.map((sku) => [sku, { units: 0n, value: 0n }]));
          let day = 1;
          steps.forEach((step, index) => {
            const date = `2026-03-${String(day).padStart(2, '0')}`;
            const id = `X-${index}`;
            let command: StockCommand;
            switch (step.kind) {
              case 'day':
                day = Math.min(day + 1, 31);
                return;
              case 'receive':
                command = receive({
                  receiptId: id,
                  sku: step.sku,
                  quantity: step.quantity,
                  unitCost: (step.unitCostMinor / 100).toFixed(2),
                  receivedOn: date,
                });
                break;
              case 'count':
                command = adjust({
                  adjustmentId: id,
                  sku: step.sku,
                  countedQuantity: step.counted,
                  adjustedOn: date,
                });
                break;
              case 'delta':
                command = adjust({
                  adjustmentId: id,
                  sku: step.sku,
                  delta: step.delta,
                  adjustedOn: date,
                });
                break;
              case 'issue':
                command = issueStock({ shipmentId: id, issuedOn: date, lines: step.lines });
                break;
              case 'return':
                command = returnStock({
                  shipmentId: shipments[step.pick % Math.max(shipments.length, 1)] ?? 'none',
                  // Sometimes earlier than the issue: the return moves to the later date.
                  returnedOn: `2026-03-${String(Math.max(1, day - (step.pick % 3))).padStart(2, '0')}`,
                });
                break;
            }
            let events: readonly StockEvent[];
            try {
              events = warehouseDecider.decide(command, state, facts()) as readonly StockEvent[];
            } catch (error) {
              if (!isDomainError(error)) throw error;
              // The refusals a well-formed sequence can meet: not enough, or nothing to value by.
              expect(['StockBelowZero', 'InsufficientStock', 'NoCostForAdjustment']).toContain(
                error.refusal.code,
              );
              return;
            }
            for (const event of events) {
              expect(stockEventSchemas[event.type].parse(event.data)).toEqual(event.data);
              const add = (sku: string, units: bigint, value: bigint) => {
                const total = moved.get(sku)!;
                moved.set(sku, { units: total.units + units, value: total.value + value });
              };
              switch (event.type) {
                case 'StockReceived':
                  add(event.data.sku, BigInt(event.data.quantity), minor(event.data.value));
                  expect(minor(event.data.value)).toBe(
                    BigInt(event.data.quantity) * minor(event.data.unitCost),
                  );
                  break;
                case 'StockAdjusted':
                  add(event.data.sku, BigInt(event.data.delta), minor(event.data.valueChange));
                  break;
                case 'StockIssued':
                  shipments.push(event.data.shipmentId);
                  for (const line of event.data.lines)
                    add(line.sku, -BigInt(line.quantity), -minor(line.cost));
                  expect(minor(event.data.totalCost)).toBe(
                    event.data.lines.reduce((sum, line) => sum + minor(line.cost), 0n),
                  );
                  break;
                case 'StockReturned':
                  for (const line of event.data.lines)
                    add(line.sku, BigInt(line.quantity), minor(line.cost));
                  if (command.type === 'ReturnStock') {
                    expect(event.data.returnedOn >= command.returnedOn).toBe(true);
                  }
                  break;
              }
              state = warehouseDecider.evolve(state, event);
            }
            for (const sku of SKUS) {
              const position = positionOf(state, sku);
              const total = moved.get(sku)!;
              expect(position.onHand >= 0n).toBe(true);
              expect(position.valueMinor >= 0n).toBe(true);
              if (position.onHand === 0n) expect(position.valueMinor).toBe(0n);
              expect(position.onHand).toBe(total.units);
              expect(position.valueMinor).toBe(total.value);
            }
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
