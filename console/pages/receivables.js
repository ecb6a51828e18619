/** Receivables: customers with their balances, invoices (one with its payments), AR aging. */
import { get, getAll, post } from '../api.js';
import { barChart } from '../charts.js';
import {
  dateField,
  fields,
  filterForm,
  h,
  link,
  money,
  personal,
  section,
  showError,
  table,
  textField,
} from '../dom.js';

const READ = ['reports:read', 'finance:write'];

async function customers() {
  const items = await getAll('/v1/customers');
  return {
    body: table(
      'Customers',
      [
        { label: 'Customer', cell: (row) => row.customerId, rowHeader: true },
        { label: 'Name', cell: (row) => personal(row.name) },
        { label: 'Terms', cell: (row) => `${row.paymentTermsDays} days` },
        {
          label: 'Invoices',
          cell: (row) =>
            link(`/invoices?customerId=${encodeURIComponent(row.customerId)}`, 'invoices'),
        },
        {
          label: 'Open balance',
          numeric: true,
          cell: (row) => money(row.openBalance, row.currency),
        },
        {
          label: 'Credit balance',
          numeric: true,
          cell: (row) => money(row.creditBalance, row.currency),
        },
      ],
      items,
      { id: 'customers' },
    ),
  };
}

const STATUSES = ['', 'open', 'partially_paid', 'paid', 'credited', 'void', 'overdue'];

async function invoices({ query, navigate }) {
  const items = await getAll('/v1/invoices', {
    status: query.status,
    customerId: query.customerId,
  });
  const statusId = 'field-status';
  return {
    body: [
      filterForm(
        '/invoices',
        [
          h(
            'div',
            { class: 'field' },
            h('label', { for: statusId }, 'Status'),
            h(
              'select',
              { id: statusId, name: 'status' },
              STATUSES.map((status) =>
                h(
                  'option',
                  { value: status, selected: status === (query.status ?? '') },
                  status || 'any',
                ),
              ),
            ),
          ),
          textField('customerId', 'Customer', query.customerId),
        ],
        navigate,
      ),
      table(
        'Invoices',
        [
          {
            label: 'Invoice',
            cell: (row) => link(`/invoice/${encodeURIComponent(row.invoiceId)}`, row.invoiceId),
            rowHeader: true,
          },
          { label: 'Customer', cell: (row) => row.customerId },
          { label: 'Issued', cell: (row) => h('time', {}, row.issueDate) },
          { label: 'Due', cell: (row) => h('time', {}, row.dueDate) },
          { label: 'Status', cell: (row) => (row.overdue ? `${row.status}, overdue` : row.status) },
          { label: 'Total', numeric: true, cell: (row) => money(row.total, row.currency) },
          {
            label: 'Outstanding',
            numeric: true,
            cell: (row) => money(row.outstanding, row.currency),
          },
        ],
        items,
        { id: 'invoices' },
      ),
    ],
  };
}

function paymentForm(invoice, navigate) {
  const form = h(
    'form',
    { class: 'filters', id: 'payment-form', dataset: { requires: 'finance:write' } },
    textField('amount', 'Amount', '', { inputmode: 'decimal', required: true }),
    dateField('receivedOn', 'Received on', ''),
    textField('reference', 'Reference', '', { required: true }),
    h('button', { type: 'submit' }, 'Record payment'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    try {
      await post(`/v1/invoices/${encodeURIComponent(invoice.invoiceId)}/payments`, {
        amount: data.amount,
        receivedOn: data.receivedOn,
        method: 'bank_transfer',
        reference: data.reference,
      });
      navigate(`/invoice/${encodeURIComponent(invoice.invoiceId)}`);
    } catch (error) {
      showError(error);
    }
  });
  return section('Record a payment received', form);
}

async function invoice({ params, can, navigate }) {
  const row = await get(`/v1/invoices/${encodeURIComponent(params.id)}`);
  return {
    title: `Invoice ${row.invoiceId}`,
    body: [
      fields([
        ['Customer', row.customerId],
        ['Issued', h('time', {}, row.issueDate)],
        ['Due', h('time', {}, row.dueDate)],
        ['Status', row.status],
        ['Total', money(row.total, row.currency)],
        ['Paid', money(row.paid, row.currency)],
        ['Credited', money(row.credited, row.currency)],
        ['Outstanding', money(row.outstanding, row.currency)],
      ]),
      table(
        'Lines',
        [
          { label: 'Description', cell: (line) => line.description, rowHeader: true },
          { label: 'Quantity', numeric: true, cell: (line) => line.quantity },
          {
            label: 'Unit price',
            numeric: true,
            cell: (line) => money(line.unitPrice, row.currency),
          },
          { label: 'Amount', numeric: true, cell: (line) => money(line.amount, row.currency) },
          {
            label: 'Revenue account',
            cell: (line) => link(`/account/${line.revenueAccount}`, line.revenueAccount),
          },
        ],
        row.lines,
      ),
      table(
        'Payments',
        [
          {
            label: 'Received',
            cell: (payment) => h('time', {}, payment.receivedOn),
            rowHeader: true,
          },
          { label: 'Method', cell: (payment) => payment.method },
          { label: 'Reference', cell: (payment) => payment.reference },
          {
            label: 'Amount',
            numeric: true,
            cell: (payment) => money(payment.amount, row.currency),
          },
        ],
        row.payments,
        { empty: 'No payments yet.' },
      ),
      can('finance:write') && row.outstanding !== '0.00' && row.status !== 'void'
        ? paymentForm(row, navigate)
        : null,
    ],
  };
}

const BUCKETS = ['0-30', '31-60', '61-90', '90+'];

async function aging({ query, navigate }) {
  const report = await get('/v1/reports/ar-aging', { asOf: query.asOf });
  return {
    body: [
      filterForm('/aging', [dateField('asOf', 'As of', query.asOf)], navigate),
      h('p', { class: 'as-of' }, 'As of ', h('time', {}, report.asOf), '; days past due'),
      report.totals.map((total) =>
        section(
          `Past due by bucket, ${total.currency}`,
          barChart(
            `Receivables past due by days, ${total.currency}`,
            [
              { label: 'not yet due', value: total.notYetDue },
              ...BUCKETS.map((bucket) => ({ label: bucket, value: total.buckets[bucket] })),
            ],
            total.currency,
          ),
        ),
      ),
      table(
        'AR aging',
        [
          { label: 'Customer', cell: (row) => row.customerId, rowHeader: true },
          { label: 'Name', cell: (row) => personal(row.name) },
          {
            label: 'Not yet due',
            numeric: true,
            cell: (row) => money(row.notYetDue, row.currency),
          },
          ...BUCKETS.map((bucket) => ({
            label: bucket,
            numeric: true,
            cell: (row) => money(row.buckets[bucket], row.currency),
          })),
          { label: 'Credit', numeric: true, cell: (row) => money(row.credit, row.currency) },
          { label: 'Total', numeric: true, cell: (row) => money(row.total, row.currency) },
        ],
        report.customers,
        {
          id: 'aging',
          footer: report.totals.map((total) => [
            `Total ${total.currency}`,
            '',
            money(total.notYetDue, total.currency),
            ...BUCKETS.map((bucket) => money(total.buckets[bucket], total.currency)),
            money(total.credit, total.currency),
            money(total.total, total.currency),
          ]),
        },
      ),
    ],
  };
}

export const receivablesPages = [
  {
    path: '/customers',
    title: 'Customers',
    group: 'Receivables',
    nav: true,
    scopes: READ,
    render: customers,
  },
  {
    path: '/invoices',
    title: 'Invoices',
    group: 'Receivables',
    nav: true,
    scopes: READ,
    render: invoices,
  },
  { path: '/invoice/:id', title: 'Invoice', group: 'Receivables', scopes: READ, render: invoice },
  {
    path: '/aging',
    title: 'AR aging',
    group: 'Receivables',
    nav: true,
    scopes: READ,
    render: aging,
  },
];
