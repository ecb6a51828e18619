/** Logistics: items with their stock on hand and value, and shipments with their timeline. */
import { get, getAll } from '../api.js';
import { dateField, filterForm, h, money, table } from '../dom.js';

const READ = ['reports:read', 'logistics:write'];

async function stock({ query, navigate }) {
  const [items, levels, valuation] = await Promise.all([
    getAll('/v1/items'),
    getAll('/v1/stock', { asOf: query.asOf }),
    get('/v1/reports/stock-valuation', { asOf: query.asOf }),
  ]);
  const bySku = new Map(levels.map((level) => [level.sku, level]));
  return {
    body: [
      filterForm('/stock', [dateField('asOf', 'As of', query.asOf)], navigate),
      table(
        'Items and stock',
        [
          { label: 'SKU', cell: (item) => item.sku, rowHeader: true },
          { label: 'Name', cell: (item) => item.name },
          { label: 'Unit', cell: (item) => item.unit },
          { label: 'On hand', numeric: true, cell: (item) => bySku.get(item.sku)?.onHand ?? 0 },
          {
            label: 'Average cost',
            numeric: true,
            cell: (item) => money(bySku.get(item.sku)?.averageCost, bySku.get(item.sku)?.currency),
          },
          {
            label: 'Value',
            numeric: true,
            cell: (item) => money(bySku.get(item.sku)?.value, bySku.get(item.sku)?.currency),
          },
        ],
        items,
        {
          id: 'stock',
          footer: valuationFooter(valuation),
        },
      ),
    ],
  };
}

/** The stock valuation's total: the inventory account's balance as of the date. */
function valuationFooter(valuation) {
  return [
    [
      `Total ${valuation.currency}`,
      '',
      '',
      '',
      '',
      money(valuation.totalValue, valuation.currency),
    ],
  ];
}

async function shipments() {
  // Cost of goods is in the base currency, which the valuation names.
  const [items, valuation] = await Promise.all([
    getAll('/v1/shipments'),
    get('/v1/reports/stock-valuation'),
  ]);
  return {
    body: table(
      'Shipments',
      [
        { label: 'Shipment', cell: (row) => row.shipmentId, rowHeader: true },
        { label: 'Order', cell: (row) => row.orderReference },
        { label: 'Customer', cell: (row) => row.customerId },
        { label: 'Status', cell: (row) => row.status },
        {
          label: 'Lines',
          cell: (row) => row.items.map((line) => `${line.quantity} × ${line.sku}`).join(', '),
        },
        { label: 'Packed', cell: (row) => (row.packedOn ? h('time', {}, row.packedOn) : '—') },
        {
          label: 'Dispatched',
          cell: (row) => (row.dispatchedOn ? h('time', {}, row.dispatchedOn) : '—'),
        },
        {
          label: 'Carrier',
          cell: (row) => (row.carrier ? `${row.carrier} ${row.trackingNumber ?? ''}` : '—'),
        },
        {
          label: 'Cost of goods',
          numeric: true,
          cell: (row) => (row.costOfGoods ? money(row.costOfGoods, valuation.currency) : '—'),
        },
      ],
      items,
      { id: 'shipments' },
    ),
  };
}

export const logisticsPages = [
  {
    path: '/stock',
    title: 'Items and stock',
    group: 'Logistics',
    nav: true,
    scopes: READ,
    render: stock,
  },
  {
    path: '/shipments',
    title: 'Shipments',
    group: 'Logistics',
    nav: true,
    scopes: READ,
    render: shipments,
  },
];
