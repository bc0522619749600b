import type Big from 'big.js';
import type { EntityManager } from 'typeorm';

/**
 * Where a credit note on a paid invoice puts its amount when it is not refunded (`refund: false`):
 * the customer's credit balance (API.md §7), which a later invoice consumes. The credits ledger
 * implements it (credits/ledger-credit-balance.ts).
 */
export abstract class CustomerCreditBalancePort {
  /**
   * Adds `amount` (a decimal in the invoice currency's minor unit) to the customer's balance in
   * `currency`, in the credit note's own transaction (`manager`), so the grant and the credit note
   * are written together or not at all. Called once per credit note; `creditNoteId` lets the
   * ledger refuse a second grant for the same note. Throwing rolls the credit note back.
   */
  abstract grantFromCreditNote(customerId: string, currency: string, amount: Big, creditNoteId: string, manager: EntityManager): Promise<void>;
}
