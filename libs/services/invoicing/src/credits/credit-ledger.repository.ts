import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import type { AvailableGrant, CreditCategory } from '@abaxus/domain/adjustments/credit-consumption';
import { LedgerMovement } from '@abaxus/domain/adjustments/credit-ledger';

export interface CreditGrantRow {
  id: string;
  seq: string;
  customer_id: string;
  currency: string;
  amount: string;
  category: CreditCategory;
  priority: number;
  expires_at: Date | null;
  reason: string | null;
  source: string;
  voided_at: Date | null;
  created_at: Date;
  /** What is left: the grant account's balance. */
  remaining: string;
}

export interface InvoiceDraw {
  grant_id: string;
  currency: string;
  amount: string;
}

const GRANT_COLUMNS = `g.id, g.seq::text AS seq, g.customer_id, g.currency, g.amount::text AS amount, g.category, g.priority, g.expires_at, g.reason, g.source,
  g.voided_at, g.created_at,
  COALESCE((SELECT sum(e.amount) FROM invoicing.credit_entries e WHERE e.account = 'grant:' || g.id), 0)::text AS remaining`;

export const toAvailable = (row: CreditGrantRow): AvailableGrant => ({
  id: row.id,
  currency: row.currency,
  remaining: new Big(row.remaining),
  priority: row.priority,
  expiresAt: row.expires_at,
  createdAt: row.created_at,
  voided: row.voided_at !== null,
});

/**
 * The credit grants and their ledger. Every method runs in the caller's transaction; whoever moves
 * a customer's credit in a currency first locks that customer's credit account row.
 */
@Injectable()
export class CreditLedgerRepository {
  /** The row every mover of this customer's credit in this currency locks first (created on first use). */
  async lockAccount(manager: EntityManager, customerId: string, currency: string): Promise<{ low_balance_notified: boolean }> {
    await manager.query('INSERT INTO invoicing.credit_accounts (customer_id, currency) VALUES ($1, $2) ON CONFLICT DO NOTHING', [customerId, currency]);
    const rows: Array<{ low_balance_notified: boolean }> = await manager.query(
      'SELECT low_balance_notified FROM invoicing.credit_accounts WHERE customer_id = $1 AND currency = $2 FOR UPDATE',
      [customerId, currency],
    );
    return rows[0];
  }

  /**
   * lockAccount for several (customer, currency) accounts in two statements, locked in byte order
   * (a group of invoices issued in one transaction).
   */
  async lockAccounts(manager: EntityManager, accounts: ReadonlyArray<{ customerId: string; currency: string }>): Promise<void> {
    if (accounts.length === 0) return;
    const customers = accounts.map((account) => account.customerId);
    const currencies = accounts.map((account) => account.currency);
    await manager.query('INSERT INTO invoicing.credit_accounts (customer_id, currency) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING', [
      customers,
      currencies,
    ]);
    await manager.query(
      `SELECT 1 FROM invoicing.credit_accounts a JOIN unnest($1::text[], $2::text[]) AS k(customer_id, currency)
         ON a.customer_id = k.customer_id AND a.currency = k.currency
       ORDER BY a.customer_id COLLATE "C", a.currency COLLATE "C" FOR UPDATE OF a`,
      [customers, currencies],
    );
  }

  /** grantsOf for several (customer, currency) accounts in one read, oldest first, keyed by `customer\u0000currency`. */
  async grantsOfMany(manager: EntityManager, accounts: ReadonlyArray<{ customerId: string; currency: string }>): Promise<Map<string, CreditGrantRow[]>> {
    const byAccount = new Map<string, CreditGrantRow[]>();
    if (accounts.length === 0) return byAccount;
    const rows: CreditGrantRow[] = await manager.query(
      `SELECT ${GRANT_COLUMNS} FROM invoicing.credit_grants g JOIN unnest($1::text[], $2::text[]) AS k(customer_id, currency)
         ON g.customer_id = k.customer_id AND g.currency = k.currency
       ORDER BY g.seq`,
      [accounts.map((account) => account.customerId), accounts.map((account) => account.currency)],
    );
    for (const row of rows) {
      const key = `${row.customer_id}\u0000${row.currency}`;
      byAccount.set(key, [...(byAccount.get(key) ?? []), row]);
    }
    return byAccount;
  }

  async setLowBalanceNotified(manager: EntityManager, customerId: string, currency: string, notified: boolean): Promise<void> {
    await manager.query('UPDATE invoicing.credit_accounts SET low_balance_notified = $3 WHERE customer_id = $1 AND currency = $2', [
      customerId,
      currency,
      notified,
    ]);
  }

  async insertGrant(manager: EntityManager, row: Omit<CreditGrantRow, 'seq' | 'remaining' | 'voided_at'>): Promise<void> {
    await manager.query(
      `INSERT INTO invoicing.credit_grants (id, customer_id, currency, amount, category, priority, expires_at, reason, source, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [row.id, row.customer_id, row.currency, row.amount, row.category, row.priority, row.expires_at, row.reason, row.source, row.created_at],
    );
  }

  async markVoided(manager: EntityManager, grantId: string, at: Date): Promise<void> {
    await manager.query('UPDATE invoicing.credit_grants SET voided_at = $2 WHERE id = $1', [grantId, at]);
  }

  async grant(manager: EntityManager, customerId: string, grantId: string): Promise<CreditGrantRow | undefined> {
    const rows: CreditGrantRow[] = await manager.query(`SELECT ${GRANT_COLUMNS} FROM invoicing.credit_grants g WHERE g.customer_id = $1 AND g.id = $2`, [
      customerId,
      grantId,
    ]);
    return rows[0];
  }

  /** The customer's grants (of one currency, when given), oldest first. */
  async grantsOf(manager: EntityManager, customerId: string, currency?: string): Promise<CreditGrantRow[]> {
    return manager.query(
      `SELECT ${GRANT_COLUMNS} FROM invoicing.credit_grants g WHERE g.customer_id = $1 AND ($2::text IS NULL OR g.currency = $2) ORDER BY g.seq`,
      [customerId, currency ?? null],
    );
  }

  /** Appends a movement's two entries (the database checks they sum to zero and leave no account negative). */
  async append(manager: EntityManager, movement: LedgerMovement, customerId: string, currency: string, at: Date): Promise<void> {
    const id = randomUUID();
    await manager.query(
      `INSERT INTO invoicing.credit_entries (movement_id, kind, account, customer_id, currency, grant_id, invoice_id, amount, created_at)
       SELECT $1, $2, e.account, $3, $4, $5, $6, e.amount, $7 FROM unnest($8::text[], $9::numeric[]) AS e(account, amount)`,
      [
        id,
        movement.kind,
        customerId,
        currency,
        movement.grantId,
        movement.invoiceId,
        at,
        movement.entries.map((entry) => entry.account),
        movement.entries.map((entry) => entry.amount.toFixed()),
      ],
    );
  }

  /** What an invoice still holds from each grant (taken less returned). */
  async drawsOfInvoice(manager: EntityManager, invoiceId: string): Promise<InvoiceDraw[]> {
    const rows: InvoiceDraw[] = await manager.query(
      `SELECT grant_id, currency, (-sum(amount))::text AS amount FROM invoicing.credit_entries
       WHERE invoice_id = $1 AND account = 'grant:' || grant_id GROUP BY grant_id, currency HAVING sum(amount) < 0 ORDER BY grant_id`,
      [invoiceId],
    );
    return rows;
  }
}
