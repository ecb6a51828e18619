/** People: employees as of a date (people:write only: they carry personal data) and headcount. */
import { get, getAll } from '../api.js';
import { dateField, filterForm, h, money, personal, table } from '../dom.js';

async function employees({ query, navigate }) {
  const items = await getAll('/v1/employees', { asOf: query.asOf });
  return {
    body: [
      filterForm('/employees', [dateField('asOf', 'As of', query.asOf)], navigate),
      table(
        'Employees',
        [
          { label: 'Employee', cell: (row) => row.employeeId, rowHeader: true },
          { label: 'Name', cell: (row) => personal(row.name) },
          { label: 'Department', cell: (row) => row.department },
          { label: 'Title', cell: (row) => row.title },
          { label: 'Status', cell: (row) => row.status },
          { label: 'Started', cell: (row) => h('time', {}, row.startDate) },
          { label: 'FTE', numeric: true, cell: (row) => row.fte },
          {
            label: 'Annual salary',
            numeric: true,
            cell: (row) => money(row.annualSalary, row.currency),
          },
        ],
        items,
        { id: 'employees' },
      ),
    ],
  };
}

async function headcount({ query, navigate }) {
  const report = await get('/v1/reports/headcount', { asOf: query.asOf });
  return {
    body: [
      filterForm('/headcount', [dateField('asOf', 'As of', query.asOf)], navigate),
      h('p', { class: 'as-of' }, 'As of ', h('time', {}, report.asOf)),
      table(
        'Headcount by department',
        [
          { label: 'Department', cell: (row) => row.department, rowHeader: true },
          { label: 'Headcount', numeric: true, cell: (row) => row.headcount },
          { label: 'FTE', numeric: true, cell: (row) => row.fte },
          {
            label: 'Monthly salary cost',
            numeric: true,
            cell: (row) => money(row.monthlySalaryCost, row.currency),
          },
        ],
        report.departments,
        {
          id: 'headcount',
          footer: report.totals.map((total) => [
            `Total ${total.currency}`,
            total.headcount,
            total.fte,
            money(total.monthlySalaryCost, total.currency),
          ]),
        },
      ),
    ],
  };
}

export const peoplePages = [
  {
    path: '/employees',
    title: 'Employees',
    group: 'People',
    nav: true,
    scopes: ['people:write'],
    render: employees,
  },
  {
    path: '/headcount',
    title: 'Headcount',
    group: 'People',
    nav: true,
    scopes: ['reports:read', 'people:write'],
    render: headcount,
  },
];
