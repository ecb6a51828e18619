/** Projections and reactors: where each has got to, how far behind, its state and last error. */
import { get, post } from '../api.js';
import { h, section, showError, table } from '../dom.js';

const ADMIN = ['admin'];

const lastError = (row) => (row.lastError ? `${row.lastError.message} (${row.lastError.at})` : '—');

async function projections({ navigate }) {
  const report = await get('/v1/admin/projections');
  const rebuild = (name) => async (event) => {
    event.currentTarget.disabled = true;
    try {
      await post(`/v1/admin/projections/${encodeURIComponent(name)}/rebuild`, {});
      navigate('/projections', { requested: name });
    } catch (error) {
      showError(error);
    }
  };
  return {
    body: [
      section(
        'Projections',
        table(
          'Projections',
          [
            { label: 'Name', cell: (row) => row.name, rowHeader: true },
            { label: 'Version', numeric: true, cell: (row) => row.version },
            { label: 'Position', numeric: true, cell: (row) => row.position },
            { label: 'Lag', numeric: true, cell: (row) => row.lag },
            { label: 'State', cell: (row) => row.state },
            { label: 'Last error', cell: lastError },
            {
              label: 'Rebuild',
              cell: (row) =>
                row.rebuild
                  ? `${row.rebuild.state}, ${row.rebuild.percent.toFixed(0)} %`
                  : h(
                      'button',
                      {
                        type: 'button',
                        class: 'rebuild',
                        dataset: { requires: 'admin' },
                        onclick: rebuild(row.name),
                      },
                      `Rebuild ${row.name}`,
                    ),
            },
          ],
          report.items,
          { id: 'projections' },
        ),
      ),
      section(
        'Reactors',
        table(
          'Reactors',
          [
            { label: 'Name', cell: (row) => row.name, rowHeader: true },
            { label: 'Position', numeric: true, cell: (row) => row.position },
            { label: 'Lag', numeric: true, cell: (row) => row.lag },
            { label: 'State', cell: (row) => row.state },
            { label: 'Last error', cell: lastError },
            { label: 'Running on', cell: (row) => row.runningOn ?? '—' },
          ],
          report.reactors,
          { id: 'reactors' },
        ),
      ),
    ],
  };
}

export const adminPages = [
  {
    path: '/projections',
    title: 'Projections and reactors',
    group: 'Operations',
    nav: true,
    scopes: ADMIN,
    render: projections,
  },
];
