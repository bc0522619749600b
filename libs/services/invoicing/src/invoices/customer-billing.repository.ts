import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

const KNOWN_CUSTOMERS_LIMIT = 100_000;

/**
 * One row per invoiced customer, holding the claim of the invoice being issued for them: one
 * issuer at a time per customer, without a lock held while it prices.
 */
@Injectable()
export class CustomerBillingRepository {
  // Customers whose row is known to exist: saves a statement per invoice (rows are never deleted).
  private readonly knownCustomers = new Set<string>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async ensure(customerId: string): Promise<void> {
    if (this.knownCustomers.has(customerId)) return;
    await this.dataSource.query('INSERT INTO invoicing.customer_billing (customer_id) VALUES ($1) ON CONFLICT DO NOTHING', [customerId]);
    if (this.knownCustomers.size >= KNOWN_CUSTOMERS_LIMIT) this.knownCustomers.clear();
    this.knownCustomers.add(customerId);
  }

  /** Takes the customer's issuing claim until `until`; false while another issuer holds an unexpired one. */
  async claimIssuing(customerId: string, claim: string, now: Date, until: Date): Promise<boolean> {
    const [, affected]: [unknown[], number] = await this.dataSource.query(
      `UPDATE invoicing.customer_billing SET issuing_claim = $2, issuing_until = $4
       WHERE customer_id = $1 AND (issuing_claim IS NULL OR issuing_until <= $3)`,
      [customerId, claim, now, until],
    );
    return affected === 1;
  }

  /**
   * In the inserting transaction: locks the row if the claim is still this issuer's and gives it
   * up at commit. False when it expired and another issuer took it over.
   */
  async completeIssuing(manager: EntityManager, customerId: string, claim: string): Promise<boolean> {
    const [, affected]: [unknown[], number] = await manager.query(
      'UPDATE invoicing.customer_billing SET issuing_claim = NULL, issuing_until = NULL WHERE customer_id = $1 AND issuing_claim = $2',
      [customerId, claim],
    );
    return affected === 1;
  }

  /** In an issuing transaction: locks the row if the claim is still this issuer's (kept for its next invoice). */
  async holdsIssuing(manager: EntityManager, customerId: string, claim: string): Promise<boolean> {
    const rows: unknown[] = await manager.query('SELECT 1 FROM invoicing.customer_billing WHERE customer_id = $1 AND issuing_claim = $2 FOR UPDATE', [
      customerId,
      claim,
    ]);
    return rows.length === 1;
  }

  /** holdsIssuing for many customers in one statement: those whose claim is still this issuer's, their rows locked. */
  async holdingIssuing(manager: EntityManager, customerIds: readonly string[], claim: string): Promise<Set<string>> {
    const rows: Array<{ customer_id: string }> = await manager.query(
      'SELECT customer_id FROM invoicing.customer_billing WHERE customer_id = ANY($1::text[]) AND issuing_claim = $2 ORDER BY customer_id FOR UPDATE',
      [customerIds, claim],
    );
    return new Set(rows.map((row) => row.customer_id));
  }

  /** renewIssuing for many customers in one statement: those whose claim was still this issuer's. */
  async renewIssuingMany(customerIds: readonly string[], claim: string, until: Date): Promise<Set<string>> {
    if (customerIds.length === 0) return new Set();
    const [rows]: [Array<{ customer_id: string }>, number] = await this.dataSource.query(
      'UPDATE invoicing.customer_billing SET issuing_until = $3 WHERE customer_id = ANY($1::text[]) AND issuing_claim = $2 RETURNING customer_id',
      [customerIds, claim, until],
    );
    return new Set(rows.map((row) => row.customer_id));
  }

  /** releaseIssuing for many customers in one statement. */
  async releaseIssuingMany(customerIds: readonly string[], claim: string): Promise<void> {
    if (customerIds.length === 0) return;
    await this.dataSource.query(
      'UPDATE invoicing.customer_billing SET issuing_claim = NULL, issuing_until = NULL WHERE customer_id = ANY($1::text[]) AND issuing_claim = $2',
      [customerIds, claim],
    );
  }

  /** Extends this issuer's claim (false when it lost it). */
  async renewIssuing(customerId: string, claim: string, until: Date): Promise<boolean> {
    const [, affected]: [unknown[], number] = await this.dataSource.query(
      'UPDATE invoicing.customer_billing SET issuing_until = $3 WHERE customer_id = $1 AND issuing_claim = $2',
      [customerId, claim, until],
    );
    return affected === 1;
  }

  /** Gives the claim up when issuing was refused or failed (nothing when it is no longer this issuer's). */
  async releaseIssuing(customerId: string, claim: string): Promise<void> {
    await this.dataSource.query(
      'UPDATE invoicing.customer_billing SET issuing_claim = NULL, issuing_until = NULL WHERE customer_id = $1 AND issuing_claim = $2',
      [customerId, claim],
    );
  }
}
