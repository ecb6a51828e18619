/**
 * The warehouse: every SKU's stock in one stream (`warehouse-main`). One stream is what makes a
 * pack of several SKUs take all of them or none and never more than is on hand, on SQLite and
 * on EventStoreDB alike: an append to one stream is atomic and decided against the stream's
 * last revision, from whichever process (see docs/architecture.md, "Stock: one stream per
 * warehouse").
 *
 * Stock dates run forward per SKU: a movement dated before the SKU's last one is refused, so the
 * stock ledger in the order recorded is also in date order, and its running quantity and value
 * are the stock as of each date. A return is the exception that cannot be refused (it undoes a
 * pack): it is dated the cancellation, or the SKU's last movement when that is later. The state
 * and its evolve are in `warehouse-state.ts`.
 */
import {
  refuseIfPeriodClosed,
  type PostingAccount,
  type PostingFacts,
} from '../ledger/posting-rules.js';
import type { AccountType } from '../ledger/events.js';
import { isCurrencyCode, type CurrencyCode } from '../shared/currency.js';
import { isAccountingDate } from '../shared/dates.js';
import type { Decider } from '../shared/decider.js';
import { refuse, refuseInvalid } from '../shared/errors.js';
import { formatAmount, parseAmount, storedMinor } from '../shared/money.js';
import type {
  AdjustStock,
  IssueStock,
  ReceiveStock,
  ReturnStock,
  StockCommand,
} from './commands.js';
import type { LogisticsEvent, MovedLineRecord, StockEvent } from './events.js';
import {
  initialWarehouseState,
  evolveWarehouse,
  positionOf,
  type SkuStock,
  type WarehouseState,
} from './warehouse-state.js';

export {
  evolveWarehouse,
  initialWarehouseState,
  positionOf,
  type IssuedShipment,
  type SkuStock,
  type WarehouseState,
} from './warehouse-state.js';
import { divideHalfUp, issue, receive } from './stock-valuation.js';

/** The most units one movement may move; on hand stays far below 2^53. */
export const MAX_QUANTITY = 1_000_000_000;

/** The accounts stock movements post to, and the ledger's facts for their dates. */
export interface WarehouseFacts extends PostingFacts {
  /** Which of the SKUs the command names are registered items. */
  readonly registeredSkus: ReadonlySet<string>;
  /** Inventory, an asset account (13000). */
  readonly inventory: PostingAccount;
  /** Receipts: goods received not invoiced, a liability (20500). */
  readonly goodsReceived?: PostingAccount;
  /** Adjustments: inventory adjustments, an expense (51000). */
  readonly adjustmentsAccount?: PostingAccount;
  /** Packs and returns: cost of goods sold, an expense (50000). */
  readonly costOfGoodsSold?: PostingAccount;
}

export function decideWarehouse(
  command: StockCommand,
  state: WarehouseState,
  facts: WarehouseFacts,
): StockEvent[] {
  switch (command.type) {
    case 'ReceiveStock':
      return receiveStock(command, state, facts);
    case 'AdjustStock':
      return adjustStock(command, state, facts);
    case 'IssueStock':
      return issueStock(command, state, facts);
    case 'ReturnStock':
      return returnStock(command, state, facts);
  }
}

function receiveStock(
  command: ReceiveStock,
  state: WarehouseState,
  facts: WarehouseFacts,
): StockEvent[] {
  const currency = currencyOf(command.currency);
  const issues = [
    ...quantityIssues(command.quantity, 'quantity'),
    ...dateIssues(command.receivedOn, 'receivedOn'),
  ];
  const unitCost = parseAmount(command.unitCost, currency);
  if (!unitCost.ok) issues.push({ path: 'unitCost', message: unitCost.message });
  else if (unitCost.minor < 0n) issues.push({ path: 'unitCost', message: 'must not be negative' });
  if (command.reference.trim() === '') {
    issues.push({ path: 'reference', message: 'must not be blank' });
  }
  if (issues.length > 0 || !unitCost.ok) refuseInvalid('InvalidStockMovement', issues);
  if (state.receipts.has(command.receiptId)) {
    refuse({
      kind: 'conflict',
      code: 'ReceiptAlreadyRecorded',
      message: `Receipt ${command.receiptId} is already recorded`,
    });
  }
  refuseUnknownItems([command.sku], facts);
  const before = positionOf(state, command.sku);
  refuseIfBeforeLast(command.sku, before, command.receivedOn);
  refuseIfNoAccount(facts.inventory, 'asset', currency, 'inventory');
  refuseIfNoAccount(facts.goodsReceived, 'liability', currency, 'goods received not invoiced');
  refuseIfPeriodClosed(command.receivedOn, facts, 'received');
  const value = unitCost.minor * BigInt(command.quantity);
  const after = receive(before, BigInt(command.quantity), value);
  return [
    {
      type: 'StockReceived',
      data: {
        receiptId: command.receiptId,
        sku: command.sku,
        quantity: command.quantity,
        unitCost: formatAmount(unitCost.minor, currency),
        value: formatAmount(value, currency),
        receivedOn: command.receivedOn,
        reference: command.reference,
        onHandAfter: Number(after.onHand),
        valueAfter: formatAmount(after.valueMinor, currency),
      },
    },
  ];
}

function adjustStock(
  command: AdjustStock,
  state: WarehouseState,
  facts: WarehouseFacts,
): StockEvent[] {
  const currency = currencyOf(command.currency);
  const issues = dateIssues(command.adjustedOn, 'adjustedOn');
  const counted = command.countedQuantity;
  if ((counted === undefined) === (command.delta === undefined)) {
    issues.push({ path: '', message: 'give exactly one of countedQuantity and delta' });
  } else if (counted !== undefined) {
    if (!Number.isSafeInteger(counted) || counted < 0 || counted > MAX_QUANTITY) {
      issues.push({
        path: 'countedQuantity',
        message: `must be a whole number from 0 to ${MAX_QUANTITY}`,
      });
    }
  } else if (
    !Number.isSafeInteger(command.delta) ||
    command.delta === 0 ||
    Math.abs(command.delta!) > MAX_QUANTITY
  ) {
    issues.push({
      path: 'delta',
      message: `must be a whole number other than 0, at most ${MAX_QUANTITY} either way`,
    });
  }
  if (command.reason.trim() === '') issues.push({ path: 'reason', message: 'must not be blank' });
  if (issues.length > 0) refuseInvalid('InvalidStockMovement', issues);
  if (state.adjustments.has(command.adjustmentId)) {
    refuse({
      kind: 'conflict',
      code: 'AdjustmentAlreadyRecorded',
      message: `Adjustment ${command.adjustmentId} is already recorded`,
    });
  }
  refuseUnknownItems([command.sku], facts);
  const before = positionOf(state, command.sku);
  const delta = counted !== undefined ? BigInt(counted) - before.onHand : BigInt(command.delta!);
  if (delta === 0n) return [];
  if (before.onHand + delta < 0n) {
    refuse({
      kind: 'conflict',
      code: 'StockBelowZero',
      message: `${command.sku} has ${before.onHand} on hand: taking ${-delta} would leave ${before.onHand + delta}`,
    });
  }
  refuseIfBeforeLast(command.sku, before, command.adjustedOn);
  let valueChange: bigint;
  if (delta < 0n) {
    valueChange = -issue(before, -delta).cost;
  } else if (before.onHand > 0n) {
    valueChange = divideHalfUp(before.valueMinor * delta, before.onHand);
  } else if (before.lastUnitCostMinor !== null) {
    valueChange = before.lastUnitCostMinor * delta;
  } else {
    refuse({
      kind: 'conflict',
      code: 'NoCostForAdjustment',
      message: `${command.sku} has never been received, so units found have no cost to carry them at; record a receipt instead`,
    });
  }
  refuseIfNoAccount(facts.inventory, 'asset', currency, 'inventory');
  refuseIfNoAccount(facts.adjustmentsAccount, 'expense', currency, 'inventory adjustments');
  refuseIfPeriodClosed(command.adjustedOn, facts, 'adjusted');
  const after = { onHand: before.onHand + delta, valueMinor: before.valueMinor + valueChange };
  return [
    {
      type: 'StockAdjusted',
      data: {
        adjustmentId: command.adjustmentId,
        sku: command.sku,
        delta: Number(delta),
        countedQuantity: counted ?? null,
        valueChange: formatAmount(valueChange, currency),
        adjustedOn: command.adjustedOn,
        reason: command.reason,
        onHandAfter: Number(after.onHand),
        valueAfter: formatAmount(after.valueMinor, currency),
      },
    },
  ];
}

function issueStock(
  command: IssueStock,
  state: WarehouseState,
  facts: WarehouseFacts,
): StockEvent[] {
  const currency = currencyOf(command.currency);
  const issues = dateIssues(command.issuedOn, 'issuedOn');
  issues.push(...lineIssues(command.lines));
  if (issues.length > 0) refuseInvalid('InvalidStockMovement', issues);
  // Taken once per shipment: a retried pack finds it done.
  if (state.shipments.has(command.shipmentId)) return [];
  refuseUnknownItems(
    command.lines.map((line) => line.sku),
    facts,
  );
  const short = command.lines.flatMap((line) => {
    const onHand = positionOf(state, line.sku).onHand;
    const missing = BigInt(line.quantity) - onHand;
    return missing > 0n ? [`${line.sku} (${onHand} on hand, ${missing} short)`] : [];
  });
  if (short.length > 0) {
    refuse({
      kind: 'conflict',
      code: 'InsufficientStock',
      message: `Not enough stock to pack shipment ${command.shipmentId}: ${short.join(', ')}`,
    });
  }
  for (const line of command.lines) {
    refuseIfBeforeLast(line.sku, positionOf(state, line.sku), command.issuedOn);
  }
  refuseIfNoAccount(facts.inventory, 'asset', currency, 'inventory');
  refuseIfNoAccount(facts.costOfGoodsSold, 'expense', currency, 'cost of goods sold');
  refuseIfPeriodClosed(command.issuedOn, facts, 'packed');
  let total = 0n;
  const lines = command.lines.map((line): MovedLineRecord => {
    const taken = issue(positionOf(state, line.sku), BigInt(line.quantity));
    total += taken.cost;
    return {
      sku: line.sku,
      quantity: line.quantity,
      cost: formatAmount(taken.cost, currency),
      onHandAfter: Number(taken.after.onHand),
      valueAfter: formatAmount(taken.after.valueMinor, currency),
    };
  });
  return [
    {
      type: 'StockIssued',
      data: {
        shipmentId: command.shipmentId,
        issuedOn: command.issuedOn,
        lines,
        totalCost: formatAmount(total, currency),
      },
    },
  ];
}

function returnStock(
  command: ReturnStock,
  state: WarehouseState,
  facts: WarehouseFacts,
): StockEvent[] {
  const currency = currencyOf(command.currency);
  const issues = dateIssues(command.returnedOn, 'returnedOn');
  if (issues.length > 0) refuseInvalid('InvalidStockMovement', issues);
  const issued = state.shipments.get(command.shipmentId);
  if (!issued || issued.returned) return [];
  let returnedOn = command.returnedOn < issued.issuedOn ? issued.issuedOn : command.returnedOn;
  for (const line of issued.lines) {
    const last = positionOf(state, line.sku).lastDate;
    if (last > returnedOn) returnedOn = last;
  }
  refuseIfNoAccount(facts.inventory, 'asset', currency, 'inventory');
  refuseIfNoAccount(facts.costOfGoodsSold, 'expense', currency, 'cost of goods sold');
  const lines = issued.lines.map((line): MovedLineRecord => {
    const before = positionOf(state, line.sku);
    const after = receive(before, BigInt(line.quantity), storedMinor(line.cost, currency));
    return {
      sku: line.sku,
      quantity: line.quantity,
      cost: line.cost,
      onHandAfter: Number(after.onHand),
      valueAfter: formatAmount(after.valueMinor, currency),
    };
  });
  return [
    {
      type: 'StockReturned',
      data: {
        shipmentId: command.shipmentId,
        returnedOn,
        reason: command.reason,
        lines,
        totalCost: issued.totalCost,
      },
    },
  ];
}

function currencyOf(currency: string): CurrencyCode {
  if (!isCurrencyCode(currency)) throw new Error(`The base currency ${currency} is not a currency`);
  return currency;
}

function quantityIssues(quantity: number, path: string) {
  return Number.isSafeInteger(quantity) && quantity >= 1 && quantity <= MAX_QUANTITY
    ? []
    : [{ path, message: `must be a whole number from 1 to ${MAX_QUANTITY}` }];
}

function dateIssues(date: string, path: string) {
  return isAccountingDate(date) ? [] : [{ path, message: 'must be a calendar date, YYYY-MM-DD' }];
}

function lineIssues(lines: IssueStock['lines']) {
  const issues: { path: string; message: string }[] = [];
  if (lines.length === 0) issues.push({ path: 'lines', message: 'needs at least one line' });
  const seen = new Set<string>();
  lines.forEach((line, index) => {
    issues.push(...quantityIssues(line.quantity, `lines[${index}].quantity`));
    if (seen.has(line.sku)) {
      issues.push({ path: `lines[${index}].sku`, message: `${line.sku} is on another line` });
    }
    seen.add(line.sku);
  });
  return issues;
}

export function refuseUnknownItems(
  skus: readonly string[],
  facts: { registeredSkus: ReadonlySet<string> },
): void {
  const unknown = [...new Set(skus)].filter((sku) => !facts.registeredSkus.has(sku));
  if (unknown.length === 0) return;
  refuse({
    kind: 'conflict',
    code: 'UnknownItem',
    message: `No item is registered with SKU ${unknown.join(', ')}`,
  });
}

function refuseIfBeforeLast(sku: string, position: SkuStock, date: string): void {
  if (position.lastDate === '' || date >= position.lastDate) return;
  refuse({
    kind: 'conflict',
    code: 'MovementBeforeLast',
    message: `${sku} last moved on ${position.lastDate}: stock dates run forward, so nothing can move it on ${date}`,
  });
}

function refuseIfNoAccount(
  account: PostingAccount | undefined,
  type: AccountType,
  currency: string,
  role: string,
): void {
  if (account === undefined) throw new Error(`The ${role} account is a fact this command needs`);
  const { state } = account;
  if (state.status === 'open' && state.type === type && state.currency === currency) return;
  refuse({
    kind: 'conflict',
    code: 'PostingAccountMissing',
    message:
      state.status === 'none'
        ? `The ${role} account ${account.code} is not open; open it (${type}, ${currency}) first`
        : `The ${role} account ${account.code} must be an open ${type} account in ${currency}`,
  });
}

export const warehouseDecider: Decider<
  WarehouseState,
  StockCommand,
  LogisticsEvent,
  WarehouseFacts
> = {
  initialState: initialWarehouseState,
  evolve: evolveWarehouse,
  decide: decideWarehouse,
};
