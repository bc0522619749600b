import Big from 'big.js';

export type CreditCategory = 'paid' | 'promotional';

/** What is left of one grant, as the ledger says, with the order it is spent in. */
export interface AvailableGrant {
  id: string;
  currency: string;
  /** What is left of the grant (its ledger account's balance); never negative. */
  remaining: Big;
  /** Lower is spent first (Stripe's convention); 50 when the grant did not say. */
  priority: number;
  expiresAt: Date | null;
  createdAt: Date;
  voided: boolean;
}

export interface GrantDraw {
  grantId: string;
  amount: Big;
}

/**
 * A grant counts until its expiry instant (exclusive) unless voided. Not from its creation
 * instant: an invoice issued after the grant (in real time) for an earlier instant — a cycle a
 * test clock jumped over — may spend it.
 */
export function isLive(grant: AvailableGrant, at: Date): boolean {
  return !grant.voided && (grant.expiresAt === null || grant.expiresAt.getTime() > at.getTime());
}

/** Priority, then the earliest expiry (no expiry last), then the oldest, then the id: a total order. */
export function spendingOrder(a: AvailableGrant, b: AvailableGrant): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  const expiryA = a.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
  const expiryB = b.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
  if (expiryA !== expiryB) return expiryA < expiryB ? -1 : 1;
  if (a.createdAt.getTime() !== b.createdAt.getTime()) return a.createdAt.getTime() - b.createdAt.getTime();
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The balance that counts at `at` in one currency: the live grants' remainders. */
export function liveBalance(grants: readonly AvailableGrant[], currency: string, at: Date): Big {
  return grants.filter((grant) => grant.currency === currency && isLive(grant, at)).reduce((sum, grant) => sum.plus(grant.remaining), new Big(0));
}

/**
 * Which grants pay how much of `amount` (already in the currency's minor unit): live grants of the
 * currency in spending order, each drawn down to zero before the next. Never draws more than a
 * grant holds nor more than `amount`.
 */
export function consumptionPlan(grants: readonly AvailableGrant[], currency: string, amount: Big, at: Date): GrantDraw[] {
  let left = amount;
  const draws: GrantDraw[] = [];
  for (const grant of grants.filter((candidate) => candidate.currency === currency && isLive(candidate, at)).sort(spendingOrder)) {
    if (left.lte(0)) break;
    if (grant.remaining.lte(0)) continue;
    const take = grant.remaining.lt(left) ? grant.remaining : left;
    draws.push({ grantId: grant.id, amount: take });
    left = left.minus(take);
  }
  return draws;
}
