import { Injectable } from '@nestjs/common';
import Big from 'big.js';
import { randomBytes } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CreditCategory, isLive, liveBalance } from '@abaxus/domain/adjustments/credit-consumption';
import { grantMovement, grantVoidMovement } from '@abaxus/domain/adjustments/credit-ledger';
import { checkGrantTerms } from '@abaxus/domain/adjustments/adjustment-validation';
import { formatAmount } from '@abaxus/domain/money/decimal';
import { toDate } from '@abaxus/domain/time/rfc3339-timestamp';
import { ServiceOutbox } from '@abaxus/platform/bus/service-outbox';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { Clock } from '@abaxus/platform/time/clock';
import { CatalogClient } from '@abaxus/catalog-client/catalog.client';
import { CustomerTime } from '../adjustments/customer-time';
import { CreditGrantRow, CreditLedgerRepository, toAvailable } from './credit-ledger.repository';
import { CreateCreditGrantDto } from './credit-grant.dto';

export interface CreditGrantJson {
  id: string;
  customer_id: string;
  currency: string;
  amount: string;
  remaining_amount: string;
  category: CreditCategory;
  priority: number;
  expires_at: string | null;
  reason: string | null;
  source: string;
  status: 'active' | 'expired' | 'voided' | 'depleted';
  voided_at: string | null;
  created_at: string;
}

export interface CreditBalanceJson {
  customer_id: string;
  as_of: string;
  balances: Array<{ currency: string; balance: string; grants: CreditGrantJson[] }>;
}

export interface GrantOptions {
  category: CreditCategory;
  /** Where the grant came from: `api`, or e.g. `credit_note:<id>` for a credit note without refund. */
  source: string;
  priority?: number;
  expiresAt?: Date | null;
  reason?: string | null;
}

export const DEFAULT_GRANT_PRIORITY = 50;

function grantJson(row: CreditGrantRow, at: Date): CreditGrantJson {
  const available = toAvailable(row);
  const status = row.voided_at ? 'voided' : !isLive(available, at) ? 'expired' : available.remaining.eq(0) ? 'depleted' : 'active';
  return {
    id: row.id,
    customer_id: row.customer_id,
    currency: row.currency,
    amount: formatAmount(new Big(row.amount), row.currency),
    remaining_amount: formatAmount(status === 'active' ? available.remaining : new Big(0), row.currency),
    category: row.category,
    priority: row.priority,
    expires_at: row.expires_at?.toISOString() ?? null,
    reason: row.reason,
    source: row.source,
    status,
    voided_at: row.voided_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
  };
}

/**
 * Prepaid and promotional credit (API.md Part II §7) on the double-entry ledger: grants, their
 * void, the balance, the consumption at invoice issue and its return when the invoice is voided.
 * Every movement locks the customer's credit account row of the currency first, so concurrent
 * invoices never spend the same credit twice.
 */
@Injectable()
export class CreditGrantsService {
  constructor(
    private readonly ledger: CreditLedgerRepository,
    private readonly outbox: ServiceOutbox,
    private readonly catalog: CatalogClient,
    private readonly customerTime: CustomerTime,
    private readonly clock: Clock,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async create(customerId: string, body: CreateCreditGrantDto): Promise<CreditGrantJson> {
    const terms = checkGrantTerms(body);
    if (!terms.ok) throw ProblemException.validation(terms.issues);
    const expiresAt = body.expires_at ? toDate(body.expires_at, 'expires_at') : null;
    await this.catalog.customer(customerId);
    const now = await this.customerTime.now(customerId);
    if (expiresAt && expiresAt.getTime() <= now.getTime()) {
      throw ProblemException.validation([{ field: 'expires_at', message: 'must be in the future' }]);
    }
    const row = await this.outbox.transaction((tx) =>
      this.grantIn(
        tx.manager,
        customerId,
        terms.value.currency,
        terms.value.amount,
        {
          category: body.category,
          source: 'api',
          priority: body.priority,
          expiresAt,
          reason: body.reason ?? null,
        },
        now,
      ),
    );
    return grantJson(row, now);
  }

  /**
   * The port other parts of invoicing credit the balance through (a credit note without refund):
   * a grant of `amount`, in its own transaction.
   */
  async grant(customerId: string, currency: string, amount: Big, options: GrantOptions): Promise<CreditGrantJson> {
    const now = this.clock.now();
    const row = await this.outbox.transaction((tx) => this.grantIn(tx.manager, customerId, currency, amount, options, now));
    return grantJson(row, now);
  }

  /** The same grant inside a caller's transaction. */
  async grantIn(manager: EntityManager, customerId: string, currency: string, amount: Big, options: GrantOptions, now: Date): Promise<CreditGrantRow> {
    const id = `cgr_${randomBytes(12).toString('hex')}`;
    await this.ledger.lockAccount(manager, customerId, currency);
    await this.ledger.insertGrant(manager, {
      id,
      customer_id: customerId,
      currency,
      amount: amount.toFixed(),
      category: options.category,
      priority: options.priority ?? DEFAULT_GRANT_PRIORITY,
      expires_at: options.expiresAt ?? null,
      reason: options.reason ?? null,
      source: options.source,
      created_at: now,
    });
    await this.ledger.append(manager, grantMovement(id, customerId, currency, amount), customerId, currency, now);
    // A new grant lifts the balance: the next crossing below the low mark is news again.
    await this.ledger.setLowBalanceNotified(manager, customerId, currency, false);
    return (await this.ledger.grant(manager, customerId, id))!;
  }

  async balance(customerId: string): Promise<CreditBalanceJson> {
    const now = await this.customerTime.now(customerId);
    const rows = await this.ledger.grantsOf(this.dataSource.manager, customerId);
    const currencies = [...new Set(rows.map((row) => row.currency))].sort();
    return {
      customer_id: customerId,
      as_of: now.toISOString(),
      balances: currencies.map((currency) => {
        const grants = rows.filter((row) => row.currency === currency);
        return {
          currency,
          balance: formatAmount(liveBalance(grants.map(toAvailable), currency, now), currency),
          grants: grants.filter((row) => isLive(toAvailable(row), now) && new Big(row.remaining).gt(0)).map((row) => grantJson(row, now)),
        };
      }),
    };
  }

  /** Removes what is left of a grant (a grant already voided → 409). */
  async void(customerId: string, grantId: string): Promise<CreditGrantJson> {
    const now = await this.customerTime.now(customerId);
    const row = await this.outbox.transaction(async (tx) => {
      const found = await this.ledger.grant(tx.manager, customerId, grantId);
      if (!found) throw ProblemException.notFound('Credit grant', grantId);
      await this.ledger.lockAccount(tx.manager, customerId, found.currency);
      const grant = (await this.ledger.grant(tx.manager, customerId, grantId))!;
      if (grant.voided_at) throw new ProblemException(409, 'credit_grant_voided', `Credit grant ${grantId} was already voided.`);
      const remaining = new Big(grant.remaining);
      if (remaining.gt(0))
        await this.ledger.append(tx.manager, grantVoidMovement(grantId, customerId, grant.currency, remaining), customerId, grant.currency, now);
      await this.ledger.markVoided(tx.manager, grantId, now);
      return (await this.ledger.grant(tx.manager, customerId, grantId))!;
    });
    return grantJson(row, now);
  }
}
