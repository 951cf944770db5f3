/** Seeded on first start. cust-poor cannot pay for any trip, to show a declined payment. */
export const PAYMENT_ACCOUNTS: readonly { customerId: string; balance: number }[] = [
  { customerId: 'cust-1', balance: 100_000_000 },
  { customerId: 'cust-2', balance: 100_000_000 },
  { customerId: 'cust-3', balance: 100_000_000 },
  { customerId: 'cust-4', balance: 100_000_000 },
  { customerId: 'cust-5', balance: 100_000_000 },
  { customerId: 'cust-poor', balance: 100 },
];
