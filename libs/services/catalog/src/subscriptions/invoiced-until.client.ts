import { Injectable } from '@nestjs/common';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { ServiceHttpClient } from '@abaxus/platform/service/service-http-client';

interface InvoicedUntilJson {
  subscription_id: string;
  invoiced_until: string | null;
}

/**
 * How far invoices of a subscription reached (invoicing owns invoices): asked over HTTP before the
 * catalog's transaction, never under a row lock. An invoice issued between this read and the
 * commit is not seen; invoicing bills the catalog's later record from where it reached.
 */
@Injectable()
export class InvoicedUntilClient {
  constructor(private readonly http: ServiceHttpClient) {}

  async invoicedUntil(subscriptionId: string): Promise<Date | null> {
    const response = await this.http.call<InvoicedUntilJson>(
      'invoicing',
      'GET',
      `/internal/subscriptions/${encodeURIComponent(subscriptionId)}/invoiced-until`,
    );
    if (response.status !== 200) {
      throw new ProblemException(
        503,
        'invoicing_unavailable',
        `Whether subscription "${subscriptionId}" was invoiced cannot be read (invoicing answered ${response.status}).`,
      );
    }
    return response.body.invoiced_until ? new Date(response.body.invoiced_until) : null;
  }
}
