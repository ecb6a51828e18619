/**
 * A small business, written through the HTTP API with the keys a client of each module would
 * use: a chart with capital and rent, customers and invoices spread over the aging buckets, a
 * partial payment, a taxed invoice partly credited, a reminder run, a month reopened and a
 * fiscal year closed before the business began, employees, items with stock and a dispatched
 * shipment. Dates are fixed (see `DEMO_NOW`), so the figures are the same on every run.
 */

export interface SeedKeys {
  readonly admin: string;
  readonly finance: string;
  readonly people: string;
  readonly logistics: string;
}

export interface Seeded {
  readonly capitalEntryId: string;
  readonly customers: readonly string[];
  readonly invoices: readonly string[];
  readonly employees: readonly string[];
  readonly items: readonly string[];
  readonly shipments: readonly string[];
  readonly taxCode: string;
  readonly taxedInvoice: string;
  /** The date of the reminder run, and the VAT report's range that shows the taxed invoice. */
  readonly reminderRunAsOf: string;
  readonly vatRange: { readonly from: string; readonly to: string };
}

const address = (line1: string, city: string, postalCode: string, country: string) => ({
  line1,
  city,
  postalCode,
  country,
});

const customers = [
  {
    customerId: 'ACME',
    name: 'Acme GmbH',
    email: 'billing@acme.example',
    billingAddress: address('Hauptstr. 1', 'Berlin', '10115', 'DE'),
    currency: 'EUR',
    paymentTermsDays: 30,
  },
  {
    customerId: 'GLOBEX',
    name: 'Globex Ltd',
    email: 'ap@globex.example',
    billingAddress: address('1 Market St', 'Dublin', 'D01 F5P2', 'IE'),
    currency: 'EUR',
    paymentTermsDays: 14,
  },
  {
    customerId: 'INITECH',
    name: 'Initech SA',
    email: 'finance@initech.example',
    billingAddress: address('Rue de Rive 4', 'Geneva', '1204', 'CH'),
    currency: 'EUR',
    paymentTermsDays: 30,
  },
];

/**
 * VAT on an invoice of November, part of it credited, in a range no other document is taxed in;
 * a reminder run on the business date, so the overdue invoices above have their reminders.
 */
const TAXED_INVOICE = 'INV-1006';
const REMINDER_RUN_AS_OF = '2026-11-23';
const VAT_RANGE = { from: '2026-11-01', to: '2026-11-30' };

/** As of 2026-11-23: INV-1001 is 90+ days past due, 1004 61-90, 1002 31-60, 1003 0-30. */
const invoices = [
  {
    invoiceId: 'INV-1001',
    customerId: 'ACME',
    issueDate: '2026-07-01',
    qty: '10',
    price: '250.00',
  },
  { invoiceId: 'INV-1002', customerId: 'ACME', issueDate: '2026-09-15', qty: '4', price: '480.00' },
  {
    invoiceId: 'INV-1003',
    customerId: 'GLOBEX',
    issueDate: '2026-10-20',
    qty: '2',
    price: '1150.00',
  },
  {
    invoiceId: 'INV-1004',
    customerId: 'INITECH',
    issueDate: '2026-08-10',
    qty: '3',
    price: '333.33',
  },
  {
    invoiceId: 'INV-1005',
    customerId: 'GLOBEX',
    issueDate: '2026-11-16',
    qty: '1',
    price: '720.00',
  },
];

const employees = [
  ['E1', 'Ada Quillfeather', 'Engineering', 'Engineer', '2026-01-15', '60000.00', '1'],
  ['E2', 'Grace Holloway', 'Finance', 'Controller', '2026-02-01', '72000.00', '1'],
  ['E3', 'Linus Amberley', 'Engineering', 'Developer', '2026-05-01', '54000.00', '0.5'],
  ['E4', 'Mira Castellan', 'Operations', 'Warehouse lead', '2026-03-01', '45000.00', '1'],
] as const;

const items = [
  { sku: 'BOLT-M8', name: 'Bolt M8', unit: 'piece', quantity: 500, unitCost: '0.12' },
  { sku: 'NUT-M8', name: 'Nut M8', unit: 'piece', quantity: 800, unitCost: '0.05' },
  { sku: 'GEAR-40', name: 'Gear 40 teeth', unit: 'piece', quantity: 40, unitCost: '18.50' },
];

export async function seedDemoBusiness(url: string, keys: SeedKeys): Promise<Seeded> {
  const post = async (key: string, path: string, body: unknown = {}) => {
    const res = await fetch(url + path, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`seeding: POST ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const finance = (path: string, body?: unknown) => post(keys.finance, path, body);

  await finance('/v1/ledger/accounts', {
    code: '31000',
    name: 'Share capital',
    type: 'equity',
    currency: 'EUR',
  });
  await finance('/v1/ledger/accounts', {
    code: '62000',
    name: 'Rent',
    type: 'expense',
    currency: 'EUR',
  });
  const capitalEntryId = 'JE-CAPITAL';
  await finance('/v1/ledger/journal-entries', {
    entryId: capitalEntryId,
    date: '2026-01-02',
    description: 'Share capital paid in',
    lines: [
      { account: '10000', debit: '50000.00' },
      { account: '31000', credit: '50000.00' },
    ],
  });
  for (let month = 2; month <= 11; month += 1) {
    const mm = String(month).padStart(2, '0');
    await finance('/v1/ledger/journal-entries', {
      entryId: `JE-RENT-2026-${mm}`,
      date: `2026-${mm}-01`,
      description: `Office rent 2026-${mm}`,
      lines: [
        { account: '62000', debit: '1800.00' },
        { account: '10000', credit: '1800.00' },
      ],
    });
  }

  for (const customer of customers) await finance('/v1/customers', customer);
  for (const invoice of invoices) {
    await finance('/v1/invoices', {
      invoiceId: invoice.invoiceId,
      customerId: invoice.customerId,
      issueDate: invoice.issueDate,
      lines: [
        {
          description: 'Consulting days',
          quantity: invoice.qty,
          unitPrice: invoice.price,
          revenueAccount: '40000',
        },
      ],
    });
  }
  await finance('/v1/invoices/INV-1002/payments', {
    amount: '500.00',
    receivedOn: '2026-10-20',
    method: 'bank_transfer',
    reference: 'SEPA 7781',
  });
  await finance('/v1/invoices/INV-1003/payments', {
    amount: '300.00',
    receivedOn: '2026-11-05',
    method: 'bank_transfer',
    reference: 'SEPA 7790',
  });

  // VAT: a liability account for the tax owed, a code at 19 %, an invoice at it, a credit note.
  await finance('/v1/ledger/accounts', {
    code: '17700',
    name: 'VAT payable',
    type: 'liability',
    currency: 'EUR',
  });
  await finance('/v1/tax-codes', {
    code: 'VAT19',
    name: 'VAT standard rate',
    rate: '19.00',
    outputAccount: '17700',
  });
  await finance('/v1/invoices', {
    invoiceId: TAXED_INVOICE,
    customerId: 'ACME',
    issueDate: '2026-11-02',
    lines: [
      {
        description: 'Workshop days',
        quantity: '2',
        unitPrice: '500.00',
        revenueAccount: '40000',
        taxCode: 'VAT19',
      },
    ],
  });
  await finance(`/v1/invoices/${TAXED_INVOICE}/credit-notes`, {
    creditNoteId: 'CN-1',
    date: '2026-11-09',
    reason: 'Half a day not held',
    lines: [{ description: 'Workshop, half a day', amount: '250.00', taxCode: 'VAT19' }],
  });
  await finance('/v1/reminders/runs', { asOf: REMINDER_RUN_AS_OF });
  // Months and a fiscal year before the business's first closed (one month reopened on the way,
  // with its reason): the periods page's history, and no seeded figure is in them.
  await finance('/v1/ledger/periods/2025-11/close');
  await post(keys.admin, '/v1/ledger/periods/2025-11/reopen', {
    reason: 'Closed before the supplier invoices of November were in',
  });
  await finance('/v1/ledger/periods/2025-12/close');
  await post(keys.admin, '/v1/ledger/fiscal-years/2025/close');

  for (const [employeeId, name, department, title, startDate, annualSalary, fte] of employees) {
    await post(keys.people, '/v1/employees', {
      employeeId,
      name,
      email: `${name.split(' ')[0]!.toLowerCase()}@example.com`,
      dateOfBirth: '1990-04-12',
      bankAccount: 'DE89 3704 0044 0532 0130 00',
      department,
      title,
      startDate,
      annualSalary,
      fte,
      currency: 'EUR',
    });
  }

  for (const [index, item] of items.entries()) {
    await post(keys.logistics, '/v1/items', { sku: item.sku, name: item.name, unit: item.unit });
    await post(keys.logistics, `/v1/stock/${item.sku}/receipts`, {
      quantity: item.quantity,
      unitCost: item.unitCost,
      receivedOn: `2026-10-0${index + 1}`,
      reference: `PO-${index + 101}`,
    });
  }
  const shipTo = address('Hauptstr. 1', 'Berlin', '10115', 'DE');
  await post(keys.logistics, '/v1/shipments', {
    shipmentId: 'SHP-1',
    orderReference: 'SO-1',
    customerId: 'ACME',
    items: [
      { sku: 'BOLT-M8', quantity: 200 },
      { sku: 'NUT-M8', quantity: 200 },
    ],
    address: shipTo,
  });
  await post(keys.logistics, '/v1/shipments/SHP-1/pack', { packedOn: '2026-11-10' });
  await post(keys.logistics, '/v1/shipments/SHP-1/dispatch', {
    carrier: 'DHL',
    trackingNumber: 'JD0146000012345',
    dispatchedOn: '2026-11-11',
  });
  await post(keys.logistics, '/v1/shipments', {
    shipmentId: 'SHP-2',
    orderReference: 'SO-2',
    customerId: 'GLOBEX',
    items: [{ sku: 'GEAR-40', quantity: 4 }],
    address: address('1 Market St', 'Dublin', 'D01 F5P2', 'IE'),
  });

  return {
    capitalEntryId,
    customers: customers.map((customer) => customer.customerId),
    invoices: [...invoices.map((invoice) => invoice.invoiceId), TAXED_INVOICE],
    employees: employees.map(([employeeId]) => employeeId),
    items: items.map((item) => item.sku),
    shipments: ['SHP-1', 'SHP-2'],
    taxCode: 'VAT19',
    taxedInvoice: TAXED_INVOICE,
    reminderRunAsOf: REMINDER_RUN_AS_OF,
    vatRange: VAT_RANGE,
  };
}
