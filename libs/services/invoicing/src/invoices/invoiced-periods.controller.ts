import { Controller, Get, Param } from '@nestjs/common';
import { InvoicesRepository } from './invoices.repository';

/** How far a subscription was invoiced: the end of its latest invoiced period, null before its first invoice. */
export interface InvoicedUntilJson {
  subscription_id: string;
  invoiced_until: string | null;
}

/**
 * Asked by the catalog before it accepts a cancel: nothing may be moved back into a period an
 * invoice already covers (not exposed by the gateway).
 */
@Controller('internal/subscriptions')
export class InvoicedPeriodsController {
  constructor(private readonly invoices: InvoicesRepository) {}

  @Get(':id/invoiced-until')
  async invoicedUntil(@Param('id') subscriptionId: string): Promise<InvoicedUntilJson> {
    const ends = await this.invoices.lastPeriodEnds([subscriptionId]);
    const end = ends.get(subscriptionId);
    return { subscription_id: subscriptionId, invoiced_until: end ? end.toISOString() : null };
  }
}
