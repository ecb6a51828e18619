/**
 * A year of a small company, as the requests its systems would send: the plan `seed-demo`
 * plays. Pure and deterministic (a fixed-seed generator, dates inside one calendar year), so two
 * runs send the very same requests with the same Idempotency-Keys, and the second writes nothing.
 *
 * Some bodies depend on earlier answers (a payment is what its invoice still owes once a credit
 * note has taken its share); such a step reads them from `answers`, by step key.
 */

/** Which of the seeding keys sends a request: payroll approval needs another person than its drafter. */
export type SeedActor = 'finance' | 'hr' | 'approver' | 'warehouse';

export interface SeedStep {
  /** Unique in the plan; the Idempotency-Key is `seed-demo:<year>:<key>`. */
  readonly key: string;
  readonly actor: SeedActor;
  readonly path: string;
  readonly body: (answers: ReadonlyMap<string, Record<string, unknown>>) => object;
}

const CUSTOMERS = [
  ['C-001', 'Brightwater Dental', 'NL', 'Utrecht', '3511'],
  ['C-002', 'Kestrel Logistics', 'DE', 'Hamburg', '20095'],
  ['C-003', 'Marlow & Finch Architects', 'GB', 'Bristol', 'BS1 4DJ'],
  ['C-004', 'Oakridge Veterinary', 'DE', 'Munich', '80331'],
  ['C-005', 'Pinecone Software', 'NL', 'Amsterdam', '1012'],
  ['C-006', 'Quayside Cafés', 'FR', 'Nantes', '44000'],
  ['C-007', 'Riverbend Schools Trust', 'GB', 'York', 'YO1 7HH'],
  ['C-008', 'Sable Studio', 'BE', 'Ghent', '9000'],
  ['C-009', 'Tidewell Clinics', 'DE', 'Kiel', '24103'],
  ['C-010', 'Umbra Lighting', 'AT', 'Graz', '8010'],
] as const;

/** What the company sells: services at 19 % VAT, books at the reduced 7 %. */
const PRODUCTS = [
  { description: 'Consulting hours', unitPrice: '95.00', taxCode: 'VAT19', maxQuantity: 24 },
  {
    description: 'Software licence, yearly',
    unitPrice: '1200.00',
    taxCode: 'VAT19',
    maxQuantity: 3,
  },
  { description: 'Support plan, monthly', unitPrice: '250.00', taxCode: 'VAT19', maxQuantity: 2 },
  { description: 'Printed handbooks', unitPrice: '18.50', taxCode: 'VAT7', maxQuantity: 40 },
] as const;

const ITEMS = [
  { sku: 'HB-100', name: 'Printed handbook', unitCost: '6.20' },
  { sku: 'KIT-200', name: 'Starter hardware kit', unitCost: '84.00' },
  { sku: 'CBL-300', name: 'Network cable, 5 m', unitCost: '3.10' },
  { sku: 'USB-400', name: 'Licence dongle', unitCost: '11.75' },
] as const;

const EMPLOYEES = [
  {
    employeeId: 'E-001',
    name: 'Ada Brennan',
    department: 'Management',
    title: 'Managing director',
    annualSalary: '96000.00',
    start: '01-01',
  },
  {
    employeeId: 'E-002',
    name: 'Jonas Weber',
    department: 'Consulting',
    title: 'Senior consultant',
    annualSalary: '72000.00',
    start: '01-01',
  },
  {
    employeeId: 'E-003',
    name: 'Priya Raman',
    department: 'Finance',
    title: 'Bookkeeper',
    annualSalary: '52000.00',
    start: '01-01',
  },
  {
    employeeId: 'E-004',
    name: 'Tomás Ortega',
    department: 'Warehouse',
    title: 'Warehouse lead',
    annualSalary: '44000.00',
    start: '03-01',
  },
  {
    employeeId: 'E-005',
    name: 'Mei Lin',
    department: 'Consulting',
    title: 'Consultant',
    annualSalary: '61000.00',
    start: '07-15',
  },
] as const;

const INVOICES_PER_MONTH = [8, 8, 9, 8, 8, 9, 7, 7, 9, 9, 9, 9]; // 100 in the year
/** Invoices settled partly by a credit note (the customer disputed part of it). */
const CREDITED = new Set([17, 58]);

/** mulberry32: a small fixed-seed generator, so every run plans the same year. */
function generator(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const lastDay = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
function dayAfter(date: string, days: number): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + days);
  return next.toISOString().slice(0, 10);
}
const cents = (amount: unknown) => BigInt(String(amount).replace('.', ''));
const euros = (minor: bigint) => {
  const digits = minor.toString().padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
};

export function demoCompanyPlan(year: number, currency: string): SeedStep[] {
  const random = generator(year);
  const steps: SeedStep[] = [];
  const add = (key: string, actor: SeedActor, path: string, body: SeedStep['body'] | object) =>
    steps.push({
      key,
      actor,
      path,
      body: typeof body === 'function' ? (body as SeedStep['body']) : () => body,
    });

  // Master data. The chart of accounts is the default one the service opens at start; VAT needs
  // a liability account it lacks.
  add('account:17700', 'finance', '/v1/ledger/accounts', {
    code: '17700',
    name: 'VAT payable',
    type: 'liability',
    currency,
  });
  add('tax:VAT19', 'finance', '/v1/tax-codes', {
    code: 'VAT19',
    name: 'Standard VAT',
    rate: '19',
    outputAccount: '17700',
  });
  add('tax:VAT7', 'finance', '/v1/tax-codes', {
    code: 'VAT7',
    name: 'Reduced VAT',
    rate: '7',
    outputAccount: '17700',
  });
  for (const [customerId, name, country, city, postalCode] of CUSTOMERS) {
    add(`customer:${customerId}`, 'finance', '/v1/customers', {
      customerId,
      name,
      email: `accounts@${name
        .toLowerCase()
        .replace(/[^a-z]+/g, '-')
        .replace(/^-|-$/g, '')}.example`,
      billingAddress: { line1: `${10 + random(80)} Market Street`, city, postalCode, country },
      currency,
      paymentTermsDays: [14, 30, 30, 45][random(4)]!,
    });
  }
  for (const item of ITEMS) {
    add(`item:${item.sku}`, 'warehouse', '/v1/items', {
      sku: item.sku,
      name: item.name,
      unit: 'piece',
    });
  }
  for (const person of EMPLOYEES) {
    add(`hire:${person.employeeId}`, 'hr', '/v1/employees', {
      employeeId: person.employeeId,
      name: person.name,
      email: `${person.name
        .toLowerCase()
        .normalize('NFD')
        .replace(/[^a-z ]/g, '')
        .replace(' ', '.')}@example.com`,
      department: person.department,
      title: person.title,
      startDate: `${year}-${person.start}`,
      annualSalary: person.annualSalary,
      currency,
    });
  }

  let invoiceNumber = 0;
  const onHand = new Map<string, number>(ITEMS.map((item) => [item.sku, 0]));
  const pendingPayments: { invoice: string; due: string; credited: boolean }[] = [];
  let shipmentNumber = 0;
  for (let month = 1; month <= 12; month += 1) {
    const period = `${year}-${pad(month)}`;
    // Stock arrives at the start of the month, two kinds at a time.
    for (const item of [ITEMS[(month - 1) % 4]!, ITEMS[month % 4]!]) {
      const quantity = 40 + random(60);
      onHand.set(item.sku, onHand.get(item.sku)! + quantity);
      add(`receipt:${period}:${item.sku}`, 'warehouse', `/v1/stock/${item.sku}/receipts`, {
        quantity,
        unitCost: item.unitCost,
        receivedOn: `${period}-02`,
        reference: `PO-${period}-${item.sku}`,
      });
    }
    if (month === 7) {
      add('change:E-002', 'hr', '/v1/employees/E-002/changes', {
        effectiveDate: `${period}-01`,
        title: 'Lead consultant',
        annualSalary: '78000.00',
        reason: 'Yearly review',
      });
    }
    if (month === 10) {
      add('termination:E-004', 'hr', '/v1/employees/E-004/termination', {
        terminationDate: `${period}-31`,
        reason: 'Moved abroad',
      });
    }

    for (let n = 0; n < INVOICES_PER_MONTH[month - 1]!; n += 1) {
      invoiceNumber += 1;
      const invoiceId = `INV-${year}-${pad(invoiceNumber, 4)}`;
      const issueDate = `${period}-${pad(2 + Math.floor((n * 25) / INVOICES_PER_MONTH[month - 1]!))}`;
      const lines = [PRODUCTS[random(4)]!, ...(random(2) === 0 ? [PRODUCTS[random(4)]!] : [])];
      add(`invoice:${invoiceId}`, 'finance', '/v1/invoices', {
        invoiceId,
        customerId: CUSTOMERS[random(CUSTOMERS.length)]![0],
        issueDate,
        lines: [...new Set(lines)].map((product) => ({
          description: product.description,
          quantity: String(1 + random(product.maxQuantity)),
          unitPrice: product.unitPrice,
          revenueAccount: '40000',
          taxCode: product.taxCode,
        })),
      });
      const credited = CREDITED.has(invoiceNumber);
      if (credited) {
        add(
          `credit-note:${invoiceId}`,
          'finance',
          `/v1/invoices/${invoiceId}/credit-notes`,
          (answers) => {
            const line = (
              answers.get(`invoice:${invoiceId}`)!.lines as {
                description: string;
                amount: string;
                taxCode: string;
              }[]
            )[0]!;
            return {
              date: dayAfter(issueDate, 5),
              reason: 'Part of the order was returned',
              lines: [
                {
                  description: line.description,
                  amount: euros(cents(line.amount) / 2n),
                  taxCode: line.taxCode,
                },
              ],
            };
          },
        );
      }
      // Most customers pay within about a month; what is issued late in the year stays open.
      pendingPayments.push({
        invoice: invoiceId,
        due: dayAfter(issueDate, 12 + random(40)),
        credited,
      });
    }

    for (const payment of pendingPayments.filter((p) => p.due.startsWith(period))) {
      add(
        `payment:${payment.invoice}`,
        'finance',
        `/v1/invoices/${payment.invoice}/payments`,
        (answers) => {
          const invoice = answers.get(`invoice:${payment.invoice}`)!;
          const credit = payment.credited
            ? answers.get(`credit-note:${payment.invoice}`)
            : undefined;
          const owed = cents(invoice.total) - (credit ? cents(credit.credited) : 0n);
          return {
            amount: euros(owed),
            receivedOn: payment.due,
            method: 'bank_transfer',
            reference: `Bank ${payment.invoice}`,
          };
        },
      );
    }

    // Two or three shipments a month, from what is on hand.
    for (let n = 0; n < 2 + (month % 2); n += 1) {
      shipmentNumber += 1;
      const shipmentId = `SHP-${year}-${pad(shipmentNumber, 3)}`;
      const items = ITEMS.filter((item) => onHand.get(item.sku)! >= 10)
        .slice(0, 1 + random(2))
        .map((item) => ({ sku: item.sku, quantity: 1 + random(10) }));
      for (const line of items) onHand.set(line.sku, onHand.get(line.sku)! - line.quantity);
      const [customerId, , country, city, postalCode] = CUSTOMERS[random(CUSTOMERS.length)]!;
      const packedOn = `${period}-${pad(8 + n * 6)}`;
      add(`shipment:${shipmentId}`, 'warehouse', '/v1/shipments', {
        shipmentId,
        orderReference: `SO-${shipmentId.slice(4)}`,
        customerId,
        items,
        address: { line1: 'Goods entrance, Market Street', city, postalCode, country },
      });
      add(`pack:${shipmentId}`, 'warehouse', `/v1/shipments/${shipmentId}/pack`, { packedOn });
      add(`dispatch:${shipmentId}`, 'warehouse', `/v1/shipments/${shipmentId}/dispatch`, {
        carrier: ['DHL', 'UPS', 'PostNL'][random(3)]!,
        trackingNumber: `TRK${year}${pad(shipmentNumber, 4)}`,
        dispatchedOn: dayAfter(packedOn, 1),
      });
      add(`deliver:${shipmentId}`, 'warehouse', `/v1/shipments/${shipmentId}/delivery`, {
        deliveredOn: dayAfter(packedOn, 3),
      });
    }

    // Payroll: drafted by HR, approved by a second person (maker-checker), paid on the last day.
    const runId = `PR-${period}`;
    const payDate = `${period}-${pad(lastDay(year, month))}`;
    add(`payroll:${runId}`, 'hr', '/v1/payroll-runs', { runId, period, payDate });
    add(`approve:${runId}`, 'approver', `/v1/payroll-runs/${runId}/approval`, {});
    add(`pay:${runId}`, 'hr', `/v1/payroll-runs/${runId}/payment`, { paidOn: payDate });
  }
  return steps;
}
