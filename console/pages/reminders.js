/**
 * Payment reminders: those issued by the runs, filtered by status and level; to a finance:write
 * key, a run for a date and a way to record that a reminder was sent (the service sends none).
 */
import { getAll, post } from '../api.js';
import {
  dateField,
  filterForm,
  h,
  link,
  money,
  section,
  showError,
  table,
  textField,
} from '../dom.js';

const READ = ['reports:read', 'finance:write'];
const STATUSES = ['', 'issued', 'sent'];
const CHANNELS = ['email', 'letter', 'phone', 'other'];

/** What the last write answered, shown once by the page it returns to. */
let notice;

function select(name, label, values, selected, labelOf = (value) => value) {
  const id = `field-${name}`;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h(
      'select',
      { id, name },
      values.map((value) =>
        h('option', { value, selected: value === (selected ?? '') }, labelOf(value)),
      ),
    ),
  );
}

/** A write form: posts, then shows the reminders again (or the refusal). */
function writeForm(id, controls, submitLabel, send, navigate, query) {
  const form = h(
    'form',
    { class: 'filters', id, dataset: { requires: 'finance:write' } },
    controls,
    h('button', { type: 'submit' }, submitLabel),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      notice = await send(Object.fromEntries(new FormData(form)));
      navigate('/reminders', query);
    } catch (error) {
      showError(error);
    }
  });
  return form;
}

function sentOf(row) {
  if (!row.sent) return '—';
  return [
    h('time', {}, row.sent.sentOn),
    `, ${row.sent.channel}`,
    row.sent.reference ? ` (${row.sent.reference})` : '',
  ];
}

async function reminders({ query, can, navigate }) {
  const items = await getAll('/v1/reminders', { status: query.status, level: query.level });
  const issued = items.filter((row) => row.status === 'issued');
  const shown = notice;
  notice = undefined;
  return {
    body: [
      shown ? h('p', { class: 'note', id: 'reminder-notice', role: 'status' }, shown) : null,
      filterForm(
        '/reminders',
        [
          select('status', 'Status', STATUSES, query.status, (value) => value || 'any'),
          textField('level', 'Level', query.level, { inputmode: 'numeric', size: 3 }),
        ],
        navigate,
      ),
      table(
        'Payment reminders',
        [
          { label: 'Reminder', cell: (row) => row.reminderId, rowHeader: true },
          {
            label: 'Invoice',
            cell: (row) => link(`/invoice/${encodeURIComponent(row.invoiceId)}`, row.invoiceId),
          },
          { label: 'Customer', cell: (row) => row.customerId },
          { label: 'Level', numeric: true, cell: (row) => String(row.level) },
          { label: 'As of', cell: (row) => h('time', {}, row.asOf) },
          { label: 'Days overdue', numeric: true, cell: (row) => String(row.daysOverdue) },
          {
            label: 'Outstanding',
            numeric: true,
            cell: (row) => money(row.amountOutstanding, row.currency),
          },
          { label: 'Status', cell: (row) => row.status },
          { label: 'Sent', cell: sentOf },
        ],
        items,
        { id: 'reminders', empty: 'No reminders.' },
      ),
      can('finance:write')
        ? [
            section(
              'Run reminders',
              writeForm(
                'reminder-run-form',
                [dateField('asOf', 'As of', '')],
                'Run reminders',
                async (data) => {
                  const run = await post(
                    '/v1/reminders/runs',
                    data.asOf ? { asOf: data.asOf } : {},
                  );
                  return `Run as of ${run.asOf}: ${run.examined} invoices examined, ${run.issued} reminders issued.`;
                },
                navigate,
                query,
              ),
            ),
            issued.length > 0
              ? section(
                  'Mark a reminder sent',
                  writeForm(
                    'reminder-sent-form',
                    [
                      select(
                        'reminderId',
                        'Reminder',
                        issued.map((row) => row.reminderId),
                      ),
                      dateField('sentOn', 'Sent on', ''),
                      select('channel', 'Channel', CHANNELS),
                      textField('reference', 'Reference', ''),
                    ],
                    'Mark sent',
                    async (data) => {
                      const sent = await post(
                        `/v1/reminders/${encodeURIComponent(data.reminderId)}/sent`,
                        {
                          ...(data.sentOn ? { sentOn: data.sentOn } : {}),
                          channel: data.channel,
                          reference: data.reference,
                        },
                      );
                      return `Reminder ${sent.reminderId} marked sent on ${sent.sent.sentOn}.`;
                    },
                    navigate,
                    query,
                  ),
                )
              : null,
          ]
        : null,
    ],
  };
}

export const reminderPages = [
  {
    path: '/reminders',
    title: 'Payment reminders',
    group: 'Receivables',
    nav: true,
    scopes: READ,
    render: reminders,
  },
];
