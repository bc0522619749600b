import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { randomUUID } from 'node:crypto';
import { consumptionPlan, isLive, liveBalance } from '@abaxus/domain/adjustments/credit-consumption';
import { consumptionMovement, consumptionReturnMovement, crossedLowBalance } from '@abaxus/domain/adjustments/credit-ledger';
import { formatAmount } from '@abaxus/domain/money/decimal';
import { TOPICS } from '@abaxus/contracts/topics';
import type { CreditEventEnvelope } from '@abaxus/contracts/invoice-events';
import { OutboxTransaction } from '@abaxus/platform/bus/service-outbox';
import type { EntityManager } from 'typeorm';
import { CreditLedgerRepository, toAvailable } from './credit-ledger.repository';

/** What an issuing invoice took from the customer's credit. */
export interface CreditsTaken {
  applied: Big;
  draws: Array<{ grant_id: string; amount: string }>;
}

/**
 * Spending credit inside an invoice's transaction, and giving it back when the invoice is voided.
 * Each step first locks the customer's credit account row of the currency, so concurrent
 * invoices never spend the same credit twice.
 */
@Injectable()
export class CreditSpending {
  constructor(private readonly ledger: CreditLedgerRepository) {}

  /** What spending `amount` at `at` would take from each grant, without a lock or a write (a preview). */
  async plan(manager: EntityManager, customerId: string, currency: string, amount: Big, at: Date): Promise<Array<{ grant_id: string; amount: string }>> {
    const grants = (await this.ledger.grantsOf(manager, customerId, currency)).map(toAvailable);
    return consumptionPlan(grants, currency, amount, at).map((draw) => ({ grant_id: draw.grantId, amount: formatAmount(draw.amount, currency) }));
  }

  /** The live balance at `at`, without a lock (a preview). */
  async balanceAt(manager: EntityManager, customerId: string, currency: string, at: Date): Promise<Big> {
    return liveBalance((await this.ledger.grantsOf(manager, customerId, currency)).map(toAvailable), currency, at);
  }

  /** Live balance now, in an issuing transaction, under the customer's credit lock. */
  async available(tx: OutboxTransaction, customerId: string, currency: string, at: Date): Promise<Big> {
    await this.ledger.lockAccount(tx.manager, customerId, currency);
    return liveBalance((await this.ledger.grantsOf(tx.manager, customerId, currency)).map(toAvailable), currency, at);
  }

  /**
   * available for several (customer, currency) accounts at once, each distinct (a group of
   * invoices in one transaction): the accounts locked and the grants read in three statements.
   */
  async availableMany(tx: OutboxTransaction, accounts: ReadonlyArray<{ customerId: string; currency: string; at: Date }>): Promise<Big[]> {
    await this.ledger.lockAccounts(tx.manager, accounts);
    const grants = await this.ledger.grantsOfMany(tx.manager, accounts);
    return accounts.map(({ customerId, currency, at }) => liveBalance((grants.get(`${customerId}\u0000${currency}`) ?? []).map(toAvailable), currency, at));
  }

  /**
   * In the issuing transaction (after `available`, lock held): takes `amount` from the live
   * grants by priority then earliest expiry, and emits credits.balance_low on a crossing.
   */
  async consume(tx: OutboxTransaction, customerId: string, currency: string, invoiceId: string, amount: Big, at: Date): Promise<CreditsTaken> {
    if (amount.lte(0)) return { applied: new Big(0), draws: [] };
    const account = await this.ledger.lockAccount(tx.manager, customerId, currency);
    const rows = await this.ledger.grantsOf(tx.manager, customerId, currency);
    const grants = rows.map(toAvailable);
    const before = liveBalance(grants, currency, at);
    const draws = consumptionPlan(grants, currency, amount, at);
    let applied = new Big(0);
    for (const draw of draws) {
      await this.ledger.append(tx.manager, consumptionMovement(draw.grantId, invoiceId, draw.amount), customerId, currency, at);
      applied = applied.plus(draw.amount);
    }
    const after = before.minus(applied);
    const liveGranted = rows.filter((row) => isLive(toAvailable(row), at)).reduce((sum, row) => sum.plus(row.amount), new Big(0));
    if (!account.low_balance_notified && crossedLowBalance(before, after, liveGranted)) {
      await this.ledger.setLowBalanceNotified(tx.manager, customerId, currency, true);
      tx.emit(balanceLowMessage(customerId, currency, after, at));
    }
    return { applied, draws: draws.map((draw) => ({ grant_id: draw.grantId, amount: formatAmount(draw.amount, currency) })) };
  }

  /** In the voiding transaction: gives every grant back exactly what the invoice took from it. */
  async returnInvoiceDraws(tx: OutboxTransaction, customerId: string, invoiceId: string, at: Date): Promise<void> {
    const draws = await this.ledger.drawsOfInvoice(tx.manager, invoiceId);
    for (const currency of [...new Set(draws.map((draw) => draw.currency))]) await this.ledger.lockAccount(tx.manager, customerId, currency);
    for (const draw of draws) {
      await this.ledger.append(tx.manager, consumptionReturnMovement(draw.grant_id, invoiceId, new Big(draw.amount)), customerId, draw.currency, at);
    }
  }
}

function balanceLowMessage(customerId: string, currency: string, balance: Big, at: Date) {
  const envelope: CreditEventEnvelope = {
    event_id: randomUUID(),
    type: 'credits.balance_low',
    occurred_at: at.toISOString(),
    data: { customer_id: customerId, currency, balance: formatAmount(balance, currency) },
  };
  return { topic: TOPICS.invoiceEvents, key: customerId, value: JSON.stringify(envelope) };
}
