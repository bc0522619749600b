import { Injectable } from '@nestjs/common';
import type Big from 'big.js';
import type { EntityManager } from 'typeorm';
import { Clock } from '@abaxus/platform/time/clock';
import { CustomerCreditBalancePort } from '../credit-notes/customer-credit-balance.port';
import { CreditGrantsService } from './credit-grants.service';

/**
 * A credit note on a paid invoice without refund (`refund: false`) becomes a paid credit grant on
 * the customer's ledger, in the credit note's own transaction: the next invoices consume it.
 */
@Injectable()
export class LedgerCreditBalance extends CustomerCreditBalancePort {
  constructor(
    private readonly grants: CreditGrantsService,
    private readonly clock: Clock,
  ) {
    super();
  }

  async grantFromCreditNote(customerId: string, currency: string, amount: Big, creditNoteId: string, manager: EntityManager): Promise<void> {
    await this.grants.grantIn(
      manager,
      customerId,
      currency,
      amount,
      { category: 'paid', source: `credit_note:${creditNoteId}`, reason: `credit note ${creditNoteId}` },
      this.clock.now(),
    );
  }
}
