import { Injectable } from '@nestjs/common';
import type Big from 'big.js';
import type { EntityManager } from 'typeorm';

/**
 * Where a credit note on a paid invoice puts its amount when it is not refunded (`refund: false`):
 * the customer's credit balance (API.md §7), which a later invoice consumes. The ledger that keeps
 * that balance plugs in here, bound in InvoicingAppModule in place of NoCustomerCreditBalance.
 */
export abstract class CustomerCreditBalancePort {
  /** False while no ledger is plugged in: such a credit note is then refused (422) before anything is written. */
  abstract readonly available: boolean;

  /**
   * Adds `amount` (a decimal in the invoice currency's minor unit) to the customer's balance in
   * `currency`, in the credit note's own transaction (`manager`), so the grant and the credit note
   * are written together or not at all. Called once per credit note; `creditNoteId` lets the
   * ledger refuse a second grant for the same note. Throwing rolls the credit note back.
   */
  abstract grantFromCreditNote(customerId: string, currency: string, amount: Big, creditNoteId: string, manager: EntityManager): Promise<void>;
}

/** Until the credits ledger exists (contract §7): no balance to credit, said plainly. */
@Injectable()
export class NoCustomerCreditBalance extends CustomerCreditBalancePort {
  readonly available = false;

  grantFromCreditNote(): Promise<void> {
    return Promise.reject(new Error('customer credit balance not available'));
  }
}
