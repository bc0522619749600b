import Big from 'big.js';

/**
 * The credit ledger's accounts. A balance is the sum of an account's entries:
 * - `grant:<id>`: what is left of a grant (never negative);
 * - `invoice:<id>`: credit an invoice took and still holds (never negative);
 * - `funding:<customer>:<currency>`: the counterpart of every grant, negative by nature (what the
 *   customer was given, less what was voided).
 */
export const grantAccount = (grantId: string) => `grant:${grantId}`;
export const invoiceAccount = (invoiceId: string) => `invoice:${invoiceId}`;
export const fundingAccount = (customerId: string, currency: string) => `funding:${customerId}:${currency}`;

/** Accounts whose balance must never go below zero. */
export const isNonNegativeAccount = (account: string) => account.startsWith('grant:') || account.startsWith('invoice:');

export type LedgerMovementKind = 'grant' | 'grant_void' | 'consumption' | 'consumption_return';

export interface LedgerEntry {
  account: string;
  /** Positive: into the account; negative: out of it. */
  amount: Big;
}

export interface LedgerMovement {
  kind: LedgerMovementKind;
  grantId: string;
  invoiceId: string | null;
  entries: [LedgerEntry, LedgerEntry];
}

const pair = (from: string, to: string, amount: Big): [LedgerEntry, LedgerEntry] => {
  if (amount.lte(0)) throw new RangeError(`a ledger movement moves a positive amount, not ${amount.toFixed()}`);
  return [
    { account: from, amount: amount.times(-1) },
    { account: to, amount },
  ];
};

export function grantMovement(grantId: string, customerId: string, currency: string, amount: Big): LedgerMovement {
  return { kind: 'grant', grantId, invoiceId: null, entries: pair(fundingAccount(customerId, currency), grantAccount(grantId), amount) };
}

export function grantVoidMovement(grantId: string, customerId: string, currency: string, remaining: Big): LedgerMovement {
  return { kind: 'grant_void', grantId, invoiceId: null, entries: pair(grantAccount(grantId), fundingAccount(customerId, currency), remaining) };
}

export function consumptionMovement(grantId: string, invoiceId: string, amount: Big): LedgerMovement {
  return { kind: 'consumption', grantId, invoiceId, entries: pair(grantAccount(grantId), invoiceAccount(invoiceId), amount) };
}

/** Gives a grant back exactly what an invoice took from it (void of the invoice). */
export function consumptionReturnMovement(grantId: string, invoiceId: string, amount: Big): LedgerMovement {
  return { kind: 'consumption_return', grantId, invoiceId, entries: pair(invoiceAccount(invoiceId), grantAccount(grantId), amount) };
}

/** Each account's balance from a list of entries. */
export function balances(entries: readonly LedgerEntry[]): Map<string, Big> {
  const result = new Map<string, Big>();
  for (const entry of entries) result.set(entry.account, (result.get(entry.account) ?? new Big(0)).plus(entry.amount));
  return result;
}

/** Whether the fraction of a currency's live grants that is left crossed below the low mark. */
export const LOW_BALANCE_FRACTION = new Big('0.1');

/**
 * `credits.balance_low` fires when spending takes a customer's live balance in a currency from at
 * or above 10% of what its live grants were granted to below it (fired once per crossing).
 */
export function crossedLowBalance(before: Big, after: Big, liveGranted: Big): boolean {
  const mark = liveGranted.times(LOW_BALANCE_FRACTION);
  return before.gte(mark) && after.lt(mark) && before.gt(after);
}
