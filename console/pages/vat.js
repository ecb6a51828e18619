/** VAT: the tax codes with their rates by effective date, and the VAT report of a range. */
import { get, getAll } from '../api.js';
import { dateField, filterForm, h, link, money, section, table } from '../dom.js';

const READ = ['reports:read', 'finance:write'];

/** A date of the browser's calendar as the API writes dates, `YYYY-MM-DD`. */
function isoDate(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The year to date (by this browser's calendar) unless the query names a range. */
function rangeOf(query) {
  const today = new Date();
  return {
    from: query.from || `${today.getFullYear()}-01-01`,
    to: query.to || isoDate(today),
  };
}

async function vat({ query, navigate }) {
  const range = rangeOf(query);
  const [codes, report] = await Promise.all([
    getAll('/v1/tax-codes'),
    get('/v1/reports/vat', range),
  ]);
  return {
    body: [
      filterForm(
        '/vat',
        [dateField('from', 'From', range.from), dateField('to', 'To', range.to)],
        navigate,
      ),
      h(
        'p',
        { class: 'as-of' },
        'From ',
        h('time', {}, report.from),
        ' through ',
        h('time', {}, report.to),
        ': invoices issued, less credit notes and voids dated in the range',
      ),
      table(
        'VAT report',
        [
          { label: 'Tax code', cell: (row) => row.taxCode, rowHeader: true },
          // The code's name and output account are in the tax codes' table below.
          {
            label: 'Invoiced base',
            numeric: true,
            cell: (row) => money(row.invoiced.base, row.currency),
          },
          {
            label: 'Invoiced tax',
            numeric: true,
            cell: (row) => money(row.invoiced.tax, row.currency),
          },
          {
            label: 'Credited base',
            numeric: true,
            cell: (row) => money(row.credited.base, row.currency),
          },
          {
            label: 'Credited tax',
            numeric: true,
            cell: (row) => money(row.credited.tax, row.currency),
          },
          { label: 'Net base', numeric: true, cell: (row) => money(row.base, row.currency) },
          { label: 'Net tax', numeric: true, cell: (row) => money(row.tax, row.currency) },
        ],
        report.codes,
        {
          id: 'vat-report',
          empty: 'No taxed document in the range.',
          footer: report.totals.map((total) => [
            `Total ${total.currency}`,
            '',
            '',
            '',
            '',
            money(total.base, total.currency),
            money(total.tax, total.currency),
          ]),
        },
      ),
      section(
        'Tax codes',
        table(
          'Tax codes and their rates by effective date',
          [
            { label: 'Code', cell: (row) => row.code, rowHeader: true },
            { label: 'Name', cell: (row) => row.name },
            {
              label: 'Output account',
              cell: (row) =>
                link(`/account/${encodeURIComponent(row.outputAccount)}`, row.outputAccount),
            },
            { label: 'Currency', cell: (row) => row.currency },
            {
              label: 'Rates',
              cell: (row) =>
                h(
                  'ul',
                  { class: 'rates' },
                  row.rates.map((rate) =>
                    h(
                      'li',
                      {},
                      `${rate.rate} %`,
                      rate.effectiveFrom
                        ? [' from ', h('time', {}, rate.effectiveFrom)]
                        : ' from the start',
                    ),
                  ),
                ),
            },
          ],
          codes,
          { id: 'tax-codes', empty: 'No tax codes.' },
        ),
      ),
    ],
  };
}

export const vatPages = [
  { path: '/vat', title: 'VAT', group: 'Receivables', nav: true, scopes: READ, render: vat },
];
