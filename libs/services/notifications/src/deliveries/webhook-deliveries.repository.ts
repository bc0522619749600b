import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** A delivery taken by a sender: everything needed to send it, without a lock held. */
export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  url: string;
  sealedSecret: string;
  eventId: string;
  payload: string;
  attempts: number;
  windowFailures: number;
  windowStartedAt: Date | null;
}

export interface DeliveryRow {
  id: string;
  seq: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  customer_id: string | null;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  last_response_status: number | null;
  last_error: string | null;
  created_at: Date;
  completed_at: Date | null;
}

export interface DeliveryAttemptRow {
  attempt: number;
  attempted_at: Date;
  response_status: number | null;
  error: string | null;
  duration_ms: number;
}

/** What one attempt found out. */
export interface AttemptOutcome {
  attemptedAt: Date;
  durationMs: number;
  responseStatus: number | null;
  error: string | null;
}

const DELIVERY_COLUMNS = `d.id, d.seq::text AS seq, d.endpoint_id, d.event_id, ev.type AS event_type, ev.customer_id, d.status, d.attempts,
  d.next_attempt_at, d.last_attempt_at, d.last_response_status, d.last_error, d.created_at, d.completed_at`;

/**
 * The deliveries and their attempts. Senders claim due deliveries (FOR UPDATE SKIP LOCKED, then a
 * claim token with an expiry, committed at once), send with no transaction open, and record the
 * outcome guarded by their token: a sender that outlived its claim records nothing, and a claim
 * left by a crashed sender expires and the delivery is sent again (at least once).
 */
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Claims up to `limit` due deliveries of enabled endpoints, each endpoint at most `perEndpoint`
   * less what the caller already has in flight for it (`inFlight`), each the oldest pending
   * delivery of its endpoint and customer (so a customer's deliveries go one at a time, in order).
   */
  async claimDue(options: {
    now: Date;
    claim: string;
    claimedUntil: Date;
    limit: number;
    perEndpoint: number;
    inFlight: Map<string, number>;
  }): Promise<ClaimedDelivery[]> {
    if (options.limit <= 0) return [];
    return this.dataSource.transaction(async (manager) => {
      const [rows]: [
        Array<{
          id: string;
          endpoint_id: string;
          url: string;
          sealed_secret: string;
          event_id: string;
          payload: string;
          attempts: number;
          window_failures: number;
          window_started_at: Date | null;
        }>,
        number,
      ] = await manager.query(
        `WITH heads AS (
           SELECT d.id, d.endpoint_id, row_number() OVER (PARTITION BY d.endpoint_id ORDER BY d.next_attempt_at, d.seq) AS rank
           FROM notifications.webhook_deliveries d
           JOIN notifications.webhook_endpoints e ON e.id = d.endpoint_id AND e.status = 'enabled'
           WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND (d.claimed_until IS NULL OR d.claimed_until <= $1)
             AND NOT EXISTS (
               SELECT 1 FROM notifications.webhook_deliveries p
               WHERE p.endpoint_id = d.endpoint_id AND p.ordering_key = d.ordering_key AND p.status = 'pending' AND p.seq < d.seq)
         ), chosen AS (
           SELECT d.id FROM notifications.webhook_deliveries d JOIN heads h ON h.id = d.id
           LEFT JOIN unnest($5::text[], $7::int[]) AS busy(endpoint_id, in_flight) ON busy.endpoint_id = h.endpoint_id
           WHERE h.rank <= $4 - coalesce(busy.in_flight, 0)
           ORDER BY d.next_attempt_at, d.seq
           LIMIT $2
           FOR UPDATE OF d SKIP LOCKED
         )
         UPDATE notifications.webhook_deliveries d SET claim = $3, claimed_until = $6
         FROM chosen, notifications.webhook_endpoints e, notifications.webhook_events ev
         WHERE d.id = chosen.id AND e.id = d.endpoint_id AND ev.id = d.event_id
           AND d.status = 'pending' AND (d.claimed_until IS NULL OR d.claimed_until <= $1)
         RETURNING d.id, d.endpoint_id, e.url, e.sealed_secret, d.event_id, ev.payload, d.attempts, d.window_failures, d.window_started_at`,
        [options.now, options.limit, options.claim, options.perEndpoint, [...options.inFlight.keys()], options.claimedUntil, [...options.inFlight.values()]],
      );
      return rows.map((row) => ({
        id: row.id,
        endpointId: row.endpoint_id,
        url: row.url,
        sealedSecret: row.sealed_secret,
        eventId: row.event_id,
        payload: row.payload,
        attempts: row.attempts,
        windowFailures: row.window_failures,
        windowStartedAt: row.window_started_at,
      }));
    });
  }

  /**
   * When the next delivery that could be claimed falls due (the oldest pending one of each
   * endpoint and customer, after its claim expires), to sleep until then; undefined when none.
   */
  async nextDueAt(): Promise<Date | undefined> {
    const rows: Array<{ at: Date | null }> = await this.dataSource.query(
      `SELECT min(greatest(d.next_attempt_at, coalesce(d.claimed_until, d.next_attempt_at))) AS at
       FROM notifications.webhook_deliveries d JOIN notifications.webhook_endpoints e ON e.id = d.endpoint_id AND e.status = 'enabled'
       WHERE d.status = 'pending'
         AND NOT EXISTS (
           SELECT 1 FROM notifications.webhook_deliveries p
           WHERE p.endpoint_id = d.endpoint_id AND p.ordering_key = d.ordering_key AND p.status = 'pending' AND p.seq < d.seq)`,
    );
    return rows[0]?.at ?? undefined;
  }

  /**
   * Records a 2xx answer, or a failure with the time of the next attempt (null: the retries are
   * exhausted, the delivery fails and its endpoint is disabled). False when the claim was lost.
   */
  async recordAttempt(
    delivery: ClaimedDelivery,
    claim: string,
    outcome: AttemptOutcome,
    next: { succeeded: true } | { succeeded: false; retryAt: Date | null },
  ): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const status: DeliveryStatus = next.succeeded ? 'succeeded' : next.retryAt === null ? 'failed' : 'pending';
      // UPDATE answers [rows, affected count] through TypeORM.
      const [updated]: [Array<{ attempts: number }>, number] = await manager.query(
        `UPDATE notifications.webhook_deliveries
         SET status = $3, attempts = attempts + 1,
             window_started_at = coalesce(window_started_at, $4),
             window_failures = CASE WHEN $3 = 'succeeded' THEN window_failures ELSE window_failures + 1 END,
             next_attempt_at = coalesce($5, next_attempt_at),
             last_attempt_at = $4, last_response_status = $6, last_error = $7,
             completed_at = CASE WHEN $3 = 'pending' THEN NULL ELSE $8::timestamptz END,
             claim = NULL, claimed_until = NULL
         WHERE id = $1 AND claim = $2
         RETURNING attempts`,
        [
          delivery.id,
          claim,
          status,
          outcome.attemptedAt,
          next.succeeded ? null : next.retryAt,
          outcome.responseStatus,
          outcome.error,
          new Date(outcome.attemptedAt.getTime() + outcome.durationMs),
        ],
      );
      if (updated.length === 0) return false;
      await manager.query(
        `INSERT INTO notifications.webhook_delivery_attempts (delivery_id, attempt, attempted_at, response_status, error, duration_ms)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [delivery.id, updated[0].attempts, outcome.attemptedAt, outcome.responseStatus, outcome.error, outcome.durationMs],
      );
      if (status === 'failed') {
        await manager.query(
          `UPDATE notifications.webhook_endpoints SET status = 'disabled', disabled_reason = 'retries_exhausted', disabled_at = $2, updated_at = $2
           WHERE id = $1 AND status = 'enabled'`,
          [delivery.endpointId, outcome.attemptedAt],
        );
      }
      return true;
    });
  }

  /** Gives a claim back without an attempt (the sender is stopping before it sent). */
  async release(deliveryId: string, claim: string): Promise<void> {
    await this.dataSource.query('UPDATE notifications.webhook_deliveries SET claim = NULL, claimed_until = NULL WHERE id = $1 AND claim = $2', [
      deliveryId,
      claim,
    ]);
  }

  /** Newest first; limit + 1 rows so the caller knows whether more exist. */
  async list(filter: { endpointId: string; status?: DeliveryStatus; eventType?: string; beforeSeq?: string; limit: number }): Promise<DeliveryRow[]> {
    return this.dataSource.query(
      `SELECT ${DELIVERY_COLUMNS} FROM notifications.webhook_deliveries d JOIN notifications.webhook_events ev ON ev.id = d.event_id
       WHERE d.endpoint_id = $1 AND ($2::text IS NULL OR d.status = $2) AND ($3::text IS NULL OR ev.type = $3) AND ($4::bigint IS NULL OR d.seq < $4)
       ORDER BY d.seq DESC LIMIT $5`,
      [filter.endpointId, filter.status ?? null, filter.eventType ?? null, filter.beforeSeq ?? null, filter.limit + 1],
    );
  }

  async find(endpointId: string, id: string): Promise<(DeliveryRow & { payload: string }) | undefined> {
    const rows: Array<DeliveryRow & { payload: string }> = await this.dataSource.query(
      `SELECT ${DELIVERY_COLUMNS}, ev.payload FROM notifications.webhook_deliveries d JOIN notifications.webhook_events ev ON ev.id = d.event_id
       WHERE d.endpoint_id = $1 AND d.id = $2`,
      [endpointId, id],
    );
    return rows[0];
  }

  async attemptsOf(id: string): Promise<DeliveryAttemptRow[]> {
    return this.dataSource.query(
      `SELECT attempt, attempted_at, response_status, error, duration_ms FROM notifications.webhook_delivery_attempts
       WHERE delivery_id = $1 ORDER BY attempt`,
      [id],
    );
  }

  /**
   * A manual retry: the delivery is due now. A failed or succeeded one becomes pending again with
   * a new 3-day window; a pending one keeps its window and is just brought forward.
   */
  async retryNow(endpointId: string, id: string, now: Date): Promise<boolean> {
    const [, affected]: [unknown[], number] = await this.dataSource.query(
      `UPDATE notifications.webhook_deliveries
       SET next_attempt_at = $3,
           window_started_at = CASE WHEN status = 'pending' THEN window_started_at ELSE NULL END,
           window_failures = CASE WHEN status = 'pending' THEN window_failures ELSE 0 END,
           status = 'pending', completed_at = NULL
       WHERE endpoint_id = $1 AND id = $2`,
      [endpointId, id, now],
    );
    return affected > 0;
  }

  /**
   * Deletes up to `limit` deliveries finished before `cutoff` (their attempts go with them), then
   * the events recorded before it that no delivery names any more. Returns how many deliveries went.
   */
  async pruneFinished(cutoff: Date, limit: number): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const [, deleted]: [unknown[], number] = await manager.query(
        `DELETE FROM notifications.webhook_deliveries WHERE id IN (
           SELECT id FROM notifications.webhook_deliveries WHERE status <> 'pending' AND completed_at < $1 LIMIT $2)`,
        [cutoff, limit],
      );
      await manager.query(
        `DELETE FROM notifications.webhook_events ev WHERE ev.id IN (
           SELECT e.id FROM notifications.webhook_events e WHERE e.recorded_at < $1
             AND NOT EXISTS (SELECT 1 FROM notifications.webhook_deliveries d WHERE d.event_id = e.id) LIMIT $2)`,
        [cutoff, limit],
      );
      return deleted;
    });
  }
}
