/**
 * The audit trail: events filtered and paged, one record's history with its change summaries,
 * the same filters exported as CSV or NDJSON, and the verification of the hash chains.
 */
import { download, get, getAll } from '../api.js';
import {
  dateField,
  fields,
  filterForm,
  h,
  link,
  section,
  showError,
  table,
  textField,
} from '../dom.js';
import { auditColumns, historyTable } from './ledger.js';

const READ = ['audit:read'];
const FILTERS = [
  'stream',
  'entityType',
  'entityId',
  'actor',
  'type',
  'correlationId',
  'from',
  'to',
];
const LABELS = {
  stream: 'Stream',
  entityType: 'Record type',
  entityId: 'Record id',
  actor: 'Actor (key id)',
  type: 'Event type',
  correlationId: 'Correlation id',
};

const filtersOf = (query) =>
  Object.fromEntries(FILTERS.filter((name) => query[name]).map((name) => [name, query[name]]));

async function save(format, filters) {
  try {
    const blob = await download('/v1/audit/export', { ...filters, format });
    const url = URL.createObjectURL(blob);
    const anchor = h('a', { href: url, download: `audit-export.${format}`, hidden: true });
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } catch (error) {
    showError(error);
  }
}

async function trail({ query, navigate }) {
  const filters = filtersOf(query);
  const page = await get('/v1/audit/events', { ...filters, limit: 25, cursor: query.cursor });
  // The cursors of the pages before this one, so "Previous" can go back.
  const back = query.back ? query.back.split(',') : [];
  const pager = h(
    'div',
    { class: 'pager' },
    back.length > 0 || query.cursor
      ? h(
          'button',
          {
            type: 'button',
            onclick: () =>
              navigate('/audit', {
                ...filters,
                cursor: back.at(-1) || undefined,
                back: back.slice(0, -1).join(',') || undefined,
              }),
          },
          'Previous page',
        )
      : null,
    page.nextCursor
      ? h(
          'button',
          {
            type: 'button',
            id: 'next-page',
            onclick: () =>
              navigate('/audit', {
                ...filters,
                cursor: page.nextCursor,
                back: [...back, query.cursor ?? ''].join(',') || undefined,
              }),
          },
          'Next page',
        )
      : null,
  );
  return {
    body: [
      filterForm(
        '/audit',
        [
          ...Object.entries(LABELS).map(([name, label]) => textField(name, label, query[name])),
          dateField('from', 'Recorded from', query.from),
          dateField('to', 'Recorded to', query.to),
        ],
        navigate,
        'Filter',
      ),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          { type: 'button', id: 'export-csv', onclick: () => save('csv', filters) },
          'Export CSV',
        ),
        h(
          'button',
          { type: 'button', id: 'export-ndjson', onclick: () => save('ndjson', filters) },
          'Export NDJSON',
        ),
        link('/audit/verify', 'Verify the log'),
      ),
      table(
        'Events',
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
        ],
        page.items,
        { id: 'audit-events' },
      ),
      pager,
    ],
  };
}

async function history({ params }) {
  const events = await getAll(
    `/v1/audit/entities/${encodeURIComponent(params.type)}/${encodeURIComponent(params.id)}/history`,
  );
  return {
    title: `History of ${params.type} ${params.id}`,
    body: [
      historyTable(`Every event of ${params.type}-${params.id}`, events, 'record-history'),
      h(
        'p',
        {},
        link(
          `/audit?entityType=${encodeURIComponent(params.type)}&entityId=${encodeURIComponent(params.id)}`,
          'These events in the audit trail',
        ),
      ),
    ],
  };
}

async function verify({ query, navigate }) {
  const intro = h(
    'p',
    {},
    'Recomputes every stream’s hash chain and the log digest from the event store.',
  );
  const controls = h(
    'div',
    { class: 'actions' },
    h(
      'button',
      {
        type: 'button',
        id: 'verify-full',
        onclick: () => navigate('/audit/verify', { mode: 'full', run: Date.now() }),
      },
      'Verify the whole log',
    ),
    h(
      'button',
      {
        type: 'button',
        id: 'verify-incremental',
        onclick: () => navigate('/audit/verify', { mode: 'incremental', run: Date.now() }),
      },
      'Verify what is new',
    ),
  );
  if (!query.mode) return { body: [intro, controls] };
  const report = await get('/v1/audit/verify', { mode: query.mode });
  return {
    body: [
      intro,
      controls,
      section(
        'Result',
        h(
          'p',
          { id: 'verify-status', class: report.status === 'intact' ? 'ok' : 'bad' },
          `The log is ${report.status}.`,
        ),
        fields([
          ['Mode', report.mode],
          ['Positions', `${report.fromPosition} to ${report.toPosition}`],
          ['Events checked', report.eventsChecked],
          ['Streams checked', report.streamsChecked],
          ['Digest', h('code', {}, report.digest.value)],
          ['Broken streams', report.brokenStreamCount],
          ['Started', h('time', {}, report.startedAt)],
          ['Took', `${report.durationMs} ms`],
        ]),
        report.brokenStreams.length > 0
          ? table(
              'Broken streams',
              [
                { label: 'Stream', cell: (broken) => broken.stream, rowHeader: true },
                { label: 'Event', cell: (broken) => `${broken.eventType} at ${broken.position}` },
                {
                  label: 'Problems',
                  cell: (broken) =>
                    broken.problems
                      .map((problem) => `${problem.kind}: ${problem.detail}`)
                      .join('; '),
                },
              ],
              report.brokenStreams,
            )
          : null,
      ),
    ],
  };
}

export const auditPages = [
  { path: '/audit', title: 'Audit trail', group: 'Audit', nav: true, scopes: READ, render: trail },
  {
    path: '/audit/verify',
    title: 'Verification',
    group: 'Audit',
    nav: true,
    scopes: READ,
    render: verify,
  },
  {
    path: '/audit/history/:type/:id',
    title: 'Record history',
    group: 'Audit',
    scopes: READ,
    render: history,
  },
];
