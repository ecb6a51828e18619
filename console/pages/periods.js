/**
 * Periods: the lock date with every close and reopen (who, when, why), and the fiscal years
 * closed with their closing entries. Read-only: closing is done through the API.
 */
import { get } from '../api.js';
import { fields, h, link, money, section, table } from '../dom.js';

const READ = ['reports:read', 'finance:write'];

const who = (row) =>
  row.onBehalfOf ? `${row.actor ?? '—'} for ${row.onBehalfOf}` : (row.actor ?? '—');

const entryLinks = (entries) =>
  entries.length === 0
    ? h('span', { class: 'note' }, 'none')
    : entries.map((entry, index) => [
        index > 0 ? ', ' : '',
        link(`/entry/${encodeURIComponent(entry.entryId)}`, entry.entryId),
      ]);

async function periods() {
  const [lock, fiscal] = await Promise.all([
    get('/v1/ledger/periods'),
    get('/v1/ledger/fiscal-years'),
  ]);
  const closingEntries = fiscal.years.flatMap((year) =>
    year.entries.map((entry) => ({ ...entry, year: year.year })),
  );
  return {
    body: [
      fields([
        ['Lock date', lock.lockDate ? h('time', {}, lock.lockDate) : 'none: no month is closed'],
        ['Closed through', lock.lockedThrough ?? '—'],
      ]),
      table(
        'Closes and reopens of months',
        [
          { label: 'Recorded', cell: (row) => h('time', {}, row.recordedAt), rowHeader: true },
          { label: 'Action', cell: (row) => row.action },
          { label: 'Month', cell: (row) => row.period },
          { label: 'Lock date set', cell: (row) => h('time', {}, row.lockDate) },
          { label: 'By', cell: who },
          { label: 'Reason', cell: (row) => row.reason ?? '—' },
        ],
        lock.changes,
        { id: 'period-changes', empty: 'No month was ever closed.' },
      ),
      section(
        'Fiscal years',
        table(
          'Fiscal years closed',
          [
            { label: 'Year', cell: (row) => row.year, rowHeader: true },
            { label: 'Status', cell: (row) => row.status },
            { label: 'Closed by', cell: (row) => row.closedBy ?? '—' },
            { label: 'Closed at', cell: (row) => h('time', {}, row.closedAt) },
            { label: 'Closing entries', cell: (row) => entryLinks(row.entries) },
          ],
          fiscal.years,
          { id: 'fiscal-years', empty: 'No fiscal year was ever closed.' },
        ),
        table(
          'Closing entries',
          [
            {
              label: 'Entry',
              cell: (row) => link(`/entry/${encodeURIComponent(row.entryId)}`, row.entryId),
              rowHeader: true,
            },
            { label: 'Year', cell: (row) => row.year },
            {
              label: 'Net income to retained earnings',
              numeric: true,
              cell: (row) => money(row.netIncome, row.currency),
            },
          ],
          closingEntries,
          { id: 'closing-entries', empty: 'The years closed had no revenue or expenses.' },
        ),
        table(
          'Closes and reopens of fiscal years',
          [
            { label: 'Recorded', cell: (row) => h('time', {}, row.recordedAt), rowHeader: true },
            { label: 'Action', cell: (row) => row.action },
            { label: 'Year', cell: (row) => row.year },
            { label: 'Entries', cell: (row) => entryLinks(row.entries) },
            { label: 'By', cell: who },
            { label: 'Reason', cell: (row) => row.reason ?? '—' },
          ],
          fiscal.changes,
          { id: 'fiscal-year-changes', empty: 'No fiscal year was ever closed.' },
        ),
      ),
    ],
  };
}

export const periodPages = [
  { path: '/periods', title: 'Periods', group: 'Ledger', nav: true, scopes: READ, render: periods },
];
