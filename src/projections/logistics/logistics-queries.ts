/**
 * Logistics queries. Stock as of a day is the SKU's last movement dated on or before it (stock
 * dates run forward per SKU); the valuation adds those up. The shipment address is opened for a
 * caller who may read it, REDACTED for others, and `null` with `addressErased: true` once the
 * customer's data is erased.
 */
import { openSealedValues, REDACTED } from '../../commands/personal-data/personal-fields.js';
import type { PersonalDataVault } from '../../commands/personal-data/vault.js';
import type { ShippingAddress } from '../../domain/logistics/events.js';
import type { ShipmentStatus } from '../../domain/logistics/shipment.js';
import { receivablesStreams } from '../../domain/receivables/streams.js';
import { isCurrencyCode, type CurrencyCode } from '../../domain/shared/currency.js';
import { formatAmount, storedMinor } from '../../domain/shared/money.js';
import { divideHalfUp } from '../../domain/logistics/stock-valuation.js';
import { isSealedValue } from '../../commands/personal-data/vault.js';
import type { ReadModelStore, Where } from '../../stores/read-model-store.js';
import type { Page } from '../ledger/ledger-queries.js';
import {
  itemsProjection,
  movementsProjection,
  shipmentsProjection,
  type ItemDocument,
  type MovementDocument,
  type ShipmentDocument,
} from './logistics-projections.js';

export const LOGISTICS_READ_MODELS = {
  items: [itemsProjection.name],
  stock: [itemsProjection.name, movementsProjection.name],
  shipments: [shipmentsProjection.name],
} as const;

export interface StockView {
  readonly sku: string;
  readonly name: string;
  readonly unit: string;
  readonly asOf: string;
  readonly onHand: number;
  readonly value: string;
  /** value / onHand rounded half up; null with nothing on hand. */
  readonly averageCost: string | null;
  readonly currency: string;
}

export type MovementView = Omit<MovementDocument, 'position'>;

export type ShipmentView = Omit<ShipmentDocument, 'revision' | 'address'> & {
  readonly address: ShippingAddress | typeof REDACTED | null;
  readonly addressErased: boolean;
};

/** Whether the caller may read the personal data of `subject` (`customer-C1`). */
export type AddressReader = (subject: string) => boolean;

export function createLogisticsQueries(deps: {
  readonly readModels: ReadModelStore;
  readonly collection: (projection: string) => Promise<string>;
  readonly personalData: PersonalDataVault;
  readonly baseCurrency: string;
}) {
  const { readModels, collection, personalData, baseCurrency } = deps;
  if (!isCurrencyCode(baseCurrency)) throw new Error(`${baseCurrency} is not a currency`);
  const currency: CurrencyCode = baseCurrency;

  async function item(sku: string): Promise<ItemDocument | undefined> {
    const body = (await readModels.load(await collection(itemsProjection.name), [sku])).get(
      sku,
    )?.body;
    return body ? itemsProjection.document(body) : undefined;
  }

  async function lastMovement(sku: string, asOf: string): Promise<MovementDocument | undefined> {
    const page = await readModels.find(await collection(movementsProjection.name), {
      where: { sku, date: { lte: asOf } },
      sort: [{ field: 'position', direction: 'desc' }],
      limit: 1,
    });
    const body = page.documents[0]?.body;
    return body ? movementsProjection.document(body) : undefined;
  }

  async function stockOf(found: ItemDocument, asOf: string): Promise<StockView> {
    const last = await lastMovement(found.sku, asOf);
    const onHand = last?.quantityAfter ?? 0;
    const valueMinor = last ? storedMinor(last.valueAfter, currency) : 0n;
    return {
      sku: found.sku,
      name: found.name,
      unit: found.unit,
      asOf,
      onHand,
      value: formatAmount(valueMinor, currency),
      averageCost:
        onHand === 0 ? null : formatAmount(divideHalfUp(valueMinor, BigInt(onHand)), currency),
      currency,
    };
  }

  async function shipmentView(
    document: ShipmentDocument,
    mayRead: AddressReader,
  ): Promise<ShipmentView> {
    const { revision: _revision, ...rest } = document;
    const opened = isSealedValue(document.address)
      ? await openSealedValues(personalData, document.address)
      : document.address;
    const erased = opened === null || opened === undefined;
    const visible = mayRead(receivablesStreams.customer(document.customerId));
    return {
      ...rest,
      address: erased ? null : visible ? (opened as ShippingAddress) : REDACTED,
      addressErased: erased,
    };
  }

  return {
    item,

    async listItems(options: { limit: number; cursor?: string }): Promise<Page<ItemDocument>> {
      const page = await readModels.find(await collection(itemsProjection.name), {
        sort: [{ field: 'sku', direction: 'asc' }],
        limit: options.limit,
        cursor: options.cursor,
      });
      return {
        items: page.documents.map((document) => itemsProjection.document(document.body)),
        nextCursor: page.nextCursor ?? null,
      };
    },

    async stock(sku: string, asOf: string): Promise<StockView | undefined> {
      const found = await item(sku);
      return found && stockOf(found, asOf);
    },

    async listStock(options: {
      asOf: string;
      limit: number;
      cursor?: string;
    }): Promise<Page<StockView>> {
      const page = await readModels.find(await collection(itemsProjection.name), {
        sort: [{ field: 'sku', direction: 'asc' }],
        limit: options.limit,
        cursor: options.cursor,
      });
      const items: StockView[] = [];
      for (const document of page.documents) {
        items.push(await stockOf(itemsProjection.document(document.body), options.asOf));
      }
      return { items, nextCursor: page.nextCursor ?? null };
    },

    /** Every SKU's stock as of the day, and the total: the inventory account's balance. */
    async valuation(asOf: string) {
      const target = await collection(itemsProjection.name);
      const skus: StockView[] = [];
      let total = 0n;
      let cursor: string | undefined;
      for (;;) {
        const page = await readModels.find(target, {
          sort: [{ field: 'sku', direction: 'asc' }],
          limit: 500,
          cursor,
        });
        for (const document of page.documents) {
          const view = await stockOf(itemsProjection.document(document.body), asOf);
          total += storedMinor(view.value, currency);
          skus.push(view);
        }
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      return { asOf, currency, skus, totalValue: formatAmount(total, currency) };
    },

    async movements(
      sku: string,
      options: { from?: string; to?: string; limit: number; cursor?: string },
    ): Promise<Page<MovementView>> {
      const date =
        options.from !== undefined || options.to !== undefined
          ? {
              ...(options.from !== undefined ? { gte: options.from } : {}),
              ...(options.to !== undefined ? { lte: options.to } : {}),
            }
          : undefined;
      const page = await readModels.find(await collection(movementsProjection.name), {
        where: { sku, ...(date ? { date } : {}) },
        sort: [{ field: 'position', direction: 'asc' }],
        limit: options.limit,
        cursor: options.cursor,
      });
      return {
        items: page.documents.map((document) => {
          const { position: _position, ...movement } = movementsProjection.document(document.body);
          return movement;
        }),
        nextCursor: page.nextCursor ?? null,
      };
    },

    async shipment(
      shipmentId: string,
      mayRead: AddressReader,
    ): Promise<(ShipmentView & { revision: number }) | undefined> {
      const body = (
        await readModels.load(await collection(shipmentsProjection.name), [shipmentId])
      ).get(shipmentId)?.body;
      if (!body) return undefined;
      const document = shipmentsProjection.document(body);
      return { ...(await shipmentView(document, mayRead)), revision: document.revision };
    },

    async listShipments(options: {
      status?: ShipmentStatus;
      customerId?: string;
      from?: string;
      to?: string;
      limit: number;
      cursor?: string;
      mayRead: AddressReader;
    }): Promise<Page<ShipmentView>> {
      const created =
        options.from !== undefined || options.to !== undefined
          ? {
              ...(options.from !== undefined ? { gte: options.from } : {}),
              ...(options.to !== undefined ? { lte: options.to } : {}),
            }
          : undefined;
      const where: Where = {
        ...(options.status !== undefined ? { status: options.status } : {}),
        ...(options.customerId !== undefined ? { customerId: options.customerId } : {}),
        ...(created ? { createdOn: created } : {}),
      };
      const page = await readModels.find(await collection(shipmentsProjection.name), {
        where,
        sort: [
          { field: 'createdOn', direction: 'asc' },
          { field: 'shipmentId', direction: 'asc' },
        ],
        limit: options.limit,
        cursor: options.cursor,
      });
      const items: ShipmentView[] = [];
      for (const document of page.documents) {
        items.push(
          await shipmentView(shipmentsProjection.document(document.body), options.mayRead),
        );
      }
      return { items, nextCursor: page.nextCursor ?? null };
    },
  };
}
