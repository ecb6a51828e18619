/**
 * The ledger: trial balance and balance sheet as of a date, and the drill-down from an account
 * to its general ledger, to a journal entry, to the events and audit history behind it.
 */
import { get, getAll } from '../api.js';
import { lineChart } from '../charts.js';
import { compact, dateField, fields, filterForm, h, link, money, section, table } from '../dom.js';

const READ = ['reports:read', 'finance:write'];

const asOfLine = (asOf) => h('p', { class: 'as-of' }, 'As of ', h('time', {}, asOf));

async function trialBalance({ query, navigate }) {
  const report = await get('/v1/reports/trial-balance', { asOf: query.asOf });
  const accountLink = (row) =>
    link(
      `/account/${encodeURIComponent(row.code)}${query.asOf ? `?asOf=${query.asOf}` : ''}`,
      row.code,
    );
  return {
    body: [
      filterForm('/trial-balance', [dateField('asOf', 'As of', query.asOf)], navigate),
      asOfLine(report.asOf),
      table(
        'Trial balance',
        [
          { label: 'Account', cell: accountLink, rowHeader: true },
          { label: 'Name', cell: (row) => row.name },
          { label: 'Type', cell: (row) => row.type },
          { label: 'Debits', numeric: true, cell: (row) => money(row.debits, row.currency) },
          { label: 'Credits', numeric: true, cell: (row) => money(row.credits, row.currency) },
          { label: 'Balance', numeric: true, cell: (row) => money(row.balance, row.currency) },
        ],
        report.accounts,
        {
          id: 'trial-balance',
          footer: report.totals.map((total) => [
            `Total ${total.currency}`,
            '',
            '',
            money(total.debits, total.currency),
            money(total.credits, total.currency),
            '',
          ]),
        },
      ),
      h(
        'p',
        { class: report.balanced ? 'ok' : 'bad', id: 'balanced' },
        report.balanced
          ? 'Debits equal credits in every currency.'
          : 'The trial balance does not balance.',
      ),
    ],
  };
}

function statementPart(title, part, currency, extra = []) {
  return table(
    title,
    [
      {
        label: 'Account',
        cell: (row) => (row.code ? link(`/account/${encodeURIComponent(row.code)}`, row.code) : ''),
        rowHeader: true,
      },
      { label: 'Name', cell: (row) => row.name },
      { label: 'Amount', numeric: true, cell: (row) => money(row.amount, currency) },
    ],
    [...part.accounts, ...extra],
    { footer: [[`Total ${title.toLowerCase()}`, '', money(part.total, currency)]] },
  );
}

async function balanceSheet({ query, navigate }) {
  const report = await get('/v1/reports/balance-sheet', { asOf: query.asOf });
  return {
    body: [
      filterForm('/balance-sheet', [dateField('asOf', 'As of', query.asOf)], navigate),
      asOfLine(report.asOf),
      report.currencies.map((part) =>
        section(
          `${part.currency}`,
          statementPart('Assets', part.assets, part.currency),
          statementPart('Liabilities', part.liabilities, part.currency),
          statementPart('Equity', part.equity, part.currency, [
            {
              code: '',
              name: `Current-year earnings (since ${report.yearStart})`,
              amount: part.equity.currentYearEarnings,
            },
            ...(part.equity.retainedEarningsNotClosed !== '0.00'
              ? [
                  {
                    code: '',
                    name: 'Earnings of years not closed',
                    amount: part.equity.retainedEarningsNotClosed,
                  },
                ]
              : []),
          ]),
          fields([
            ['Liabilities and equity', money(part.liabilitiesAndEquity, part.currency)],
            ['Balanced', part.balanced ? 'yes' : 'no'],
          ]),
        ),
      ),
    ],
  };
}

async function account({ params, query, navigate }) {
  const code = params.code;
  const path = `/v1/ledger/accounts/${encodeURIComponent(code)}`;
  const [detail, lines] = await Promise.all([
    get(path, { asOf: query.asOf }),
    getAll(`${path}/entries`, { to: query.asOf }),
  ]);
  // The running balance after the last line of each day: the balance as of that date.
  const byDate = new Map();
  for (const line of lines) byDate.set(line.date, line.balance);
  const points = [...byDate].map(([date, value]) => ({ date, value }));
  return {
    title: `Account ${detail.code} · ${detail.name}`,
    body: [
      fields([
        ['Type', detail.type],
        ['Status', detail.status],
        ['Controlled by', detail.controlledBy ?? 'none (manual entries allowed)'],
        ['Debits', money(detail.debits, detail.currency)],
        ['Credits', money(detail.credits, detail.currency)],
        ['Balance', money(detail.balance, detail.currency)],
      ]),
      filterForm(
        `/account/${encodeURIComponent(code)}`,
        [dateField('asOf', 'As of', query.asOf)],
        navigate,
      ),
      section(
        'Balance over time',
        lineChart(`Balance of ${detail.code} over time`, points, detail.currency),
      ),
      table(
        'General ledger',
        [
          { label: 'Date', cell: (line) => h('time', {}, line.date), rowHeader: true },
          {
            label: 'Entry',
            cell: (line) =>
              link(`/entry/${encodeURIComponent(line.entryId)}`, line.entryId, {
                class: 'entry-link',
              }),
          },
          { label: 'Description', cell: (line) => line.description },
          {
            label: 'Debit',
            numeric: true,
            cell: (line) => (line.debit ? money(line.debit, detail.currency) : ''),
          },
          {
            label: 'Credit',
            numeric: true,
            cell: (line) => (line.credit ? money(line.credit, detail.currency) : ''),
          },
          { label: 'Balance', numeric: true, cell: (line) => money(line.balance, detail.currency) },
        ],
        lines,
        { id: 'general-ledger' },
      ),
    ],
  };
}

/** Who wrote an event, when, for whom and in which request: the audit columns. */
export const auditColumns = [
  { label: 'Recorded', cell: (event) => h('time', {}, event.recordedAt) },
  { label: 'Actor', cell: (event) => event.actor ?? '—' },
  { label: 'On behalf of', cell: (event) => event.onBehalfOf ?? '—' },
  { label: 'Request', cell: (event) => h('code', {}, event.requestId ?? '—') },
];

export function historyTable(caption, events, id) {
  return table(
    caption,
    [
      { label: 'Rev.', numeric: true, cell: (event) => event.revision, rowHeader: true },
      { label: 'Event', cell: (event) => event.type },
      ...auditColumns,
      {
        label: 'Changes',
        cell: (event) =>
          h(
            'div',
            {},
            h('p', { class: 'summary' }, event.summary),
            h(
              'ul',
              { class: 'changes' },
              event.changes.map((change) =>
                h(
                  'li',
                  {},
                  h('code', {}, change.field),
                  ': ',
                  'from' in change ? `${compact(change.from)} → ` : '',
                  compact(change.to),
                ),
              ),
            ),
          ),
      },
    ],
    events,
    { id },
  );
}

async function journalEntry({ params, can }) {
  const entry = await get(`/v1/ledger/journal-entries/${encodeURIComponent(params.id)}`);
  const body = [
    fields([
      ['Date', h('time', {}, entry.date)],
      ['Description', entry.description],
      ['Status', entry.status],
      ['Reversal', entry.reversal ? compact(entry.reversal) : 'none'],
    ]),
    table(
      'Lines',
      [
        {
          label: 'Account',
          cell: (line) => link(`/account/${encodeURIComponent(line.account)}`, line.account),
          rowHeader: true,
        },
        {
          label: 'Debit',
          numeric: true,
          cell: (line) => (line.debit ? money(line.debit, line.currency) : ''),
        },
        {
          label: 'Credit',
          numeric: true,
          cell: (line) => (line.credit ? money(line.credit, line.currency) : ''),
        },
      ],
      entry.lines,
      { id: 'entry-lines' },
    ),
  ];
  if (!can('audit:read')) {
    body.push(
      h('p', { class: 'note' }, 'The events behind this entry are shown to keys with audit:read.'),
    );
    return { title: `Journal entry ${entry.id}`, body };
  }
  const history = await getAll(
    `/v1/audit/entities/journalEntry/${encodeURIComponent(entry.id)}/history`,
  );
  body.push(
    section('Audit history', historyTable('Events of this entry', history, 'entry-history')),
  );
  // The request (or reaction) that booked it: an invoice issued, a payroll approved, ...
  const correlations = [...new Set(history.map((event) => event.correlationId).filter(Boolean))];
  const related = (
    await Promise.all(
      correlations.map((correlationId) => getAll('/v1/audit/events', { correlationId }, 200)),
    )
  ).flat();
  body.push(
    section(
      'Events of the same request',
      table(
        'Events sharing the correlation id',
        [
          { label: 'Position', numeric: true, cell: (event) => event.position, rowHeader: true },
          {
            label: 'Record',
            cell: (event) =>
              link(
                `/audit/history/${encodeURIComponent(event.entityType)}/${encodeURIComponent(event.entityId)}`,
                event.stream,
              ),
          },
          { label: 'Event', cell: (event) => event.type },
          ...auditColumns,
          { label: 'Correlation', cell: (event) => h('code', {}, event.correlationId ?? '—') },
        ],
        related,
        { id: 'entry-related' },
      ),
    ),
  );
  return { title: `Journal entry ${entry.id}`, body };
}

export const ledgerPages = [
  {
    path: '/trial-balance',
    title: 'Trial balance',
    group: 'Ledger',
    nav: true,
    scopes: READ,
    render: trialBalance,
  },
  {
    path: '/balance-sheet',
    title: 'Balance sheet',
    group: 'Ledger',
    nav: true,
    scopes: READ,
    render: balanceSheet,
  },
  { path: '/account/:code', title: 'Account', group: 'Ledger', scopes: READ, render: account },
  {
    path: '/entry/:id',
    title: 'Journal entry',
    group: 'Ledger',
    scopes: READ,
    render: journalEntry,
  },
];
