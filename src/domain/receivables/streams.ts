/** One stream per customer and per invoice: each is its own consistency boundary. */
export const receivablesStreams = {
  customer: (customerId: string) => `customer-${customerId}`,
  invoice: (invoiceId: string) => `invoice-${invoiceId}`,
} as const;
